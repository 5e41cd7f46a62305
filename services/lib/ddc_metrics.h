/*  ddc_metrics: the counters and gauges every ddc service publishes to the
    broker (REPORT topic "metrics", proto/ddcp.md 5.8) and their Prometheus
    text exposition (version 0.0.4), which ddc-web's /metrics serves for
    all of them. Owns the registry a service fills for one report (families
    of counters, gauges and histograms, each sample with its labels), the
    report's JSON form, the histogram arithmetic, and the renderer, which
    merges the reports of many services into one valid text: each family's
    HELP and TYPE once, each sample with the labels service and host of its
    source added, names, label names and values checked and escaped, a
    family whose type differs from its first report's left out for that
    source, duplicate series dropped. Pure logic, no I/O; bounded: a report
    keeps at most DDC_METRICS_FAMILIES families of DDC_METRICS_SAMPLES
    samples, the renderer reads as much of each source and no more. */
#ifndef DDC_METRICS_H
#define DDC_METRICS_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DDC_METRICS_INTERVAL_MS 10000 //  a service reports this often
#define DDC_METRICS_MAX (64 * 1024)   //  bytes of a metrics report
#define DDC_METRICS_FAMILIES 128      //  families in a report
#define DDC_METRICS_SAMPLES 512       //  samples in a family
#define DDC_METRICS_LABELS 8          //  labels of a sample
#define DDC_HISTOGRAM_BUCKETS 16

//  A histogram: observations counted in buckets of upper bounds le[].
typedef struct {
    int n; //  bounds, ascending (+Inf implied)
    double le [DDC_HISTOGRAM_BUCKETS];
    uint64_t in [DDC_HISTOGRAM_BUCKETS + 1]; //  per bucket, the last is +Inf
    uint64_t count;
    double sum;
} ddc_histogram_t;

//  n bounds (at most DDC_HISTOGRAM_BUCKETS, ascending), counts zero.
void ddc_histogram_init (ddc_histogram_t *h, const double *le, int n);
void ddc_histogram_observe (ddc_histogram_t *h, double value);

typedef struct ddc_metrics_t ddc_metrics_t;

ddc_metrics_t *ddc_metrics_new (void);
void ddc_metrics_destroy (ddc_metrics_t **self_p);

//  A sample of a family, which is declared with its help by its first
//  sample. The labels are name, value pairs, NULL-terminated (no labels:
//  just NULL). A sample past the bounds, or of a family declared with
//  another type, is left out.
void ddc_metrics_counter (ddc_metrics_t *self, const char *name, const char *help, double value,
                          ...) __attribute__ ((sentinel));
void ddc_metrics_gauge (ddc_metrics_t *self, const char *name, const char *help, double value, ...)
    __attribute__ ((sentinel));
void ddc_metrics_histogram (ddc_metrics_t *self, const char *name, const char *help,
                            const ddc_histogram_t *h, ...) __attribute__ ((sentinel));

//  The report body (caller owns):
//  {"families": [{"name", "type", "help", "samples": [
//      {"labels": {...}, "value": N}                       counter, gauge
//      {"labels": {...}, "buckets": [[le, cumulative], ...], histogram
//       "count": N, "sum": S}]}]}
//  A histogram's last bucket is +Inf: its le is the string "+Inf".
cJSON *ddc_metrics_json (const ddc_metrics_t *self);

//  One report to render, with the service and host it came from.
typedef struct {
    const char *service;
    const char *host;
    const cJSON *body;
} ddc_metrics_source_t;

//  The exposition text of every source's report (caller frees; *len_p its
//  length). Families come in the order they first appear.
char *ddc_metrics_render (const ddc_metrics_source_t *sources, size_t n, size_t *len_p);

//  True when name is a metric name: [a-zA-Z_:][a-zA-Z0-9_:]*, at most 128.
bool ddc_metrics_name_ok (const char *name);

#endif
