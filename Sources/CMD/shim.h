// libmd (Debian's libmd-dev; libedit already depends on it through libbsd): the MD5 of the handshake digest and the
// SHA-256 of the cookie fingerprint, without linking a second copy of BoringSSL for two hash functions.
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <md5.h>
#include <sha2.h>
