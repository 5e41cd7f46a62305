/*  ddc_log: one-line log records on stderr for every ddc program.
    Owns: the program identity and the minimum level. A record reads
    "2026-11-27T08:39:37.123Z ddc-broker info: message".
    Callers never pass secrets here: log field names, not values. */
#ifndef DDC_LOG_H
#define DDC_LOG_H

typedef enum { DDC_LOG_DEBUG, DDC_LOG_INFO, DDC_LOG_WARN, DDC_LOG_ERROR } ddc_log_level_t;

void ddc_log_init (const char *ident); //  program name, borrowed
void ddc_log_set_level (ddc_log_level_t level);
void ddc_log (ddc_log_level_t level, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

#define ddc_debug(...) ddc_log (DDC_LOG_DEBUG, __VA_ARGS__)
#define ddc_info(...) ddc_log (DDC_LOG_INFO, __VA_ARGS__)
#define ddc_warn(...) ddc_log (DDC_LOG_WARN, __VA_ARGS__)
#define ddc_error(...) ddc_log (DDC_LOG_ERROR, __VA_ARGS__)

#endif
