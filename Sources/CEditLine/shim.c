#define _XOPEN_SOURCE 700
#include <locale.h>
#include <stdlib.h>
#include <wchar.h>
#include "CEditLine.h"


EditLine *cel_init(const char *program, FILE *in, FILE *out, FILE *err) { return el_init(program, in, out, err); }
void cel_end(EditLine *el) { el_end(el); }
int cel_set_prompt(EditLine *el, cel_prompt_fn fn) { return el_set(el, EL_PROMPT, fn); }
int cel_set_prompt_esc(EditLine *el, cel_prompt_fn fn, char esc) { return el_set(el, EL_PROMPT_ESC, fn, esc); }
int cel_set_editor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }
int cel_set_signal(EditLine *el, int on) { return el_set(el, EL_SIGNAL, on); }
int cel_set_clientdata(EditLine *el, void *data) { return el_set(el, EL_CLIENTDATA, data); }
void *cel_get_clientdata(EditLine *el) {
    void *data = NULL;
    el_get(el, EL_CLIENTDATA, &data);
    return data;
}
int cel_set_getcfn(EditLine *el, cel_getc_fn fn) { return el_set(el, EL_GETCFN, fn); }
int cel_addfn(EditLine *el, const char *name, const char *help, cel_key_fn fn) {
    return el_set(el, EL_ADDFN, name, help, fn);
}
int cel_bind(EditLine *el, const char *key, const char *fn) { return el_set(el, EL_BIND, key, fn, NULL); }
int cel_setty(EditLine *el, const char *mode, const char *setting) {
    return el_set(el, EL_SETTY, mode, setting, NULL);
}
int cel_refresh(EditLine *el) { return el_set(el, EL_REFRESH); }
int cel_source(EditLine *el, const char *file) { return el_source(el, file); }
const char *cel_gets(EditLine *el, int *count) { return el_gets(el, count); }
const char *cel_line(EditLine *el, int *cursor, int *length) {
    const LineInfo *li = el_line(el);
    *cursor = (int)(li->cursor - li->buffer);
    *length = (int)(li->lastchar - li->buffer);
    return li->buffer;
}
int cel_insertstr(EditLine *el, const char *s) { return el_insertstr(el, s); }
void cel_deletestr(EditLine *el, int n) { el_deletestr(el, n); }
void cel_reset(EditLine *el) { el_reset(el); }
void cel_resize(EditLine *el) { el_resize(el); }

History *cel_history_init(int size, int unique) {
    History *h = history_init();
    if (!h) return NULL;
    HistEvent ev;
    history(h, &ev, H_SETSIZE, size);
    history(h, &ev, H_SETUNIQUE, unique);
    return h;
}
void cel_history_end(History *h) { history_end(h); }
int cel_history_enter(History *h, const char *line) {
    HistEvent ev;
    return history(h, &ev, H_ENTER, line);
}
int cel_history_load(History *h, const char *path) {
    HistEvent ev;
    return history(h, &ev, H_LOAD, path);
}
int cel_history_save(History *h, const char *path) {
    HistEvent ev;
    return history(h, &ev, H_SAVE, path);
}
int cel_set_history(EditLine *el, History *h) { return el_set(el, EL_HIST, history, h); }

EditLine *cel_init_std(const char *program) { return el_init(program, stdin, stdout, stderr); }
int cel_setup_locale(void) {
    setlocale(LC_CTYPE, "");
    if (MB_CUR_MAX == 1) setlocale(LC_CTYPE, "C.UTF-8");
    return MB_CUR_MAX > 1;
}
int cel_wcwidth(unsigned int codepoint) { return wcwidth((wchar_t)codepoint); }
