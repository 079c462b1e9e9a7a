// A small non-variadic shim over libedit's native API (histedit.h).
// Swift cannot call C variadic functions (el_set, el_get, history), so each operation beamconsole needs is a
// plain function here. One EditLine per terminal; no global state (client data carries the Swift side).
#ifndef CEDITLINE_H
#define CEDITLINE_H

#include <stdio.h>
#include <wchar.h>
#include <histedit.h>

typedef const char *(*cel_prompt_fn)(EditLine *);
typedef unsigned char (*cel_key_fn)(EditLine *, int);
typedef int (*cel_getc_fn)(EditLine *, wchar_t *);

EditLine *cel_init(const char *program, FILE *in, FILE *out, FILE *err);
/// el_init on the process's stdin/stdout/stderr.
EditLine *cel_init_std(const char *program);
/// Sets LC_CTYPE from the environment, falling back to C.UTF-8 when that gives a single-byte locale.
/// Returns 1 when the resulting locale is multibyte.
int cel_setup_locale(void);
/// Terminal columns taken by a code point (-1 for non-printable).
int cel_wcwidth(unsigned int codepoint);
void cel_end(EditLine *el);
int cel_set_prompt(EditLine *el, cel_prompt_fn fn);
/// Prompt with an escape character: text between two `esc` characters is not counted for width (ANSI colors).
int cel_set_prompt_esc(EditLine *el, cel_prompt_fn fn, char esc);
int cel_set_editor(EditLine *el, const char *mode);
int cel_set_signal(EditLine *el, int on);
int cel_set_clientdata(EditLine *el, void *data);
void *cel_get_clientdata(EditLine *el);
int cel_set_getcfn(EditLine *el, cel_getc_fn fn);
int cel_addfn(EditLine *el, const char *name, const char *help, cel_key_fn fn);
int cel_bind(EditLine *el, const char *key, const char *fn);
/// Turns a terminal flag off or on in edit mode, e.g. ("-d", "-isig").
int cel_setty(EditLine *el, const char *mode, const char *setting);
int cel_refresh(EditLine *el);
int cel_source(EditLine *el, const char *file);
/// Reads one line (NULL at EOF). *count receives its length (including the newline, if any).
const char *cel_gets(EditLine *el, int *count);
/// The current line buffer and cursor offset (in bytes).
const char *cel_line(EditLine *el, int *cursor, int *length);
int cel_insertstr(EditLine *el, const char *s);
void cel_deletestr(EditLine *el, int n);
void cel_reset(EditLine *el);
void cel_resize(EditLine *el);

History *cel_history_init(int size, int unique);
void cel_history_end(History *h);
int cel_history_enter(History *h, const char *line);
int cel_history_load(History *h, const char *path);
int cel_history_save(History *h, const char *path);
int cel_set_history(EditLine *el, History *h);

#endif
