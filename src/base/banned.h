/*
 * banned.h — functions Reach does not call, because each has a safer form.
 * Included last by every file through base.h; using one is a build error.
 */
#ifndef BASE_BANNED_H
#define BASE_BANNED_H

#define BANNED(f) sorry_##f##_is_banned_in_reach

#undef strcpy
#define strcpy(d, s) BANNED(strcpy)
#undef strcat
#define strcat(d, s) BANNED(strcat)
#undef strncpy
#define strncpy(d, s, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(s, d) BANNED(strtok)
#undef atoi
#define atoi(s) BANNED(atoi)
#undef atol
#define atol(s) BANNED(atol)
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef gets
#define gets(s) BANNED(gets)

#endif
