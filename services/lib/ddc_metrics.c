/*  ddc_metrics: reports of counters and gauges, and their Prometheus text.
    See ddc_metrics.h. */
#include "ddc_metrics.h"
#include "ddc_buf.h"
#include "ddc_util.h"

#include <czmq.h>
#include <math.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct ddc_metrics_t {
    cJSON *families; //  the report's "families" array
};

//  ---------------------------------------------------------------- histogram

void
ddc_histogram_init (ddc_histogram_t *h, const double *le, int n)
{
    memset (h, 0, sizeof (*h));
    if (n > DDC_HISTOGRAM_BUCKETS)
        n = DDC_HISTOGRAM_BUCKETS;
    for (int i = 0; i < n; i++)
        h->le [i] = le [i];
    h->n = n;
}

void
ddc_histogram_observe (ddc_histogram_t *h, double value)
{
    int i = 0;
    while (i < h->n && value > h->le [i])
        i++;
    h->in [i]++;
    h->count++;
    h->sum += value;
}

//  ------------------------------------------------------------------ names

bool
ddc_metrics_name_ok (const char *name)
{
    if (!name || !*name || strlen (name) > 128)
        return false;
    for (const char *p = name; *p; p++) {
        char c = *p;
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
        if (!alpha && !(p > name && c >= '0' && c <= '9'))
            return false;
    }
    return true;
}

//  A label name: [a-zA-Z_][a-zA-Z0-9_]*, not "__..." (reserved), at most 64.
static bool
s_label_ok (const char *name)
{
    if (!ddc_metrics_name_ok (name) || strchr (name, ':') || strlen (name) > 64)
        return false;
    return strncmp (name, "__", 2) != 0;
}

//  ------------------------------------------------------------------ registry

ddc_metrics_t *
ddc_metrics_new (void)
{
    ddc_metrics_t *self = ddc_calloc (1, sizeof (*self));
    self->families = cJSON_CreateArray ();
    return self;
}

void
ddc_metrics_destroy (ddc_metrics_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cJSON_Delete ((*self_p)->families);
    free (*self_p);
    *self_p = NULL;
}

static const char *
s_str (const cJSON *obj, const char *key)
{
    return cJSON_GetStringValue (cJSON_GetObjectItemCaseSensitive (obj, key));
}

//  A new sample of family name (declared now if need be) with its labels,
//  or NULL when it cannot be: a bad name or label, another type, bounds.
static cJSON *
s_sample (ddc_metrics_t *self, const char *name, const char *type, const char *help, va_list ap)
{
    if (!ddc_metrics_name_ok (name))
        return NULL;
    cJSON *family = NULL, *f;
    cJSON_ArrayForEach (f, self->families)
        if (strcmp (s_str (f, "name"), name) == 0)
            family = f;
    if (!family) {
        if (cJSON_GetArraySize (self->families) >= DDC_METRICS_FAMILIES)
            return NULL;
        family = cJSON_CreateObject ();
        cJSON_AddStringToObject (family, "name", name);
        cJSON_AddStringToObject (family, "type", type);
        cJSON_AddStringToObject (family, "help", help && *help ? help : name);
        cJSON_AddArrayToObject (family, "samples");
        cJSON_AddItemToArray (self->families, family);
    }
    cJSON *samples = cJSON_GetObjectItemCaseSensitive (family, "samples");
    if (strcmp (s_str (family, "type"), type) != 0
        || cJSON_GetArraySize (samples) >= DDC_METRICS_SAMPLES)
        return NULL;
    cJSON *labels = cJSON_CreateObject ();
    const char *k;
    int n = 0;
    while ((k = va_arg (ap, const char *))) {
        const char *v = va_arg (ap, const char *);
        if (!v || !s_label_ok (k) || ++n > DDC_METRICS_LABELS
            || cJSON_GetObjectItemCaseSensitive (labels, k)) {
            cJSON_Delete (labels);
            return NULL;
        }
        cJSON_AddStringToObject (labels, k, v);
    }
    cJSON *sample = cJSON_CreateObject ();
    cJSON_AddItemToObject (sample, "labels", labels);
    cJSON_AddItemToArray (samples, sample);
    return sample;
}

//  A counter's or gauge's sample (a counter never below 0).
static void
s_scalar (ddc_metrics_t *self, const char *name, const char *type, const char *help, double value,
          va_list ap)
{
    cJSON *sample = s_sample (self, name, type, help, ap);
    bool counter = strcmp (type, "counter") == 0;
    if (sample)
        cJSON_AddNumberToObject (sample, "value",
                                 !isfinite (value) || (counter && value < 0) ? 0 : value);
}

void
ddc_metrics_counter (ddc_metrics_t *self, const char *name, const char *help, double value, ...)
{
    va_list ap;
    va_start (ap, value);
    s_scalar (self, name, "counter", help, value, ap);
    va_end (ap);
}

void
ddc_metrics_gauge (ddc_metrics_t *self, const char *name, const char *help, double value, ...)
{
    va_list ap;
    va_start (ap, value);
    s_scalar (self, name, "gauge", help, value, ap);
    va_end (ap);
}

void
ddc_metrics_histogram (ddc_metrics_t *self, const char *name, const char *help,
                       const ddc_histogram_t *h, ...)
{
    va_list ap;
    va_start (ap, h);
    cJSON *sample = s_sample (self, name, "histogram", help, ap);
    va_end (ap);
    if (!sample)
        return;
    cJSON *buckets = cJSON_AddArrayToObject (sample, "buckets");
    uint64_t cumulative = 0;
    for (int i = 0; i <= h->n; i++) {
        cumulative += h->in [i];
        cJSON *b = cJSON_CreateArray ();
        cJSON_AddItemToArray (b, i < h->n ? cJSON_CreateNumber (h->le [i])
                                          : cJSON_CreateString ("+Inf"));
        cJSON_AddItemToArray (b, cJSON_CreateNumber ((double) cumulative));
        cJSON_AddItemToArray (buckets, b);
    }
    cJSON_AddNumberToObject (sample, "count", (double) h->count);
    cJSON_AddNumberToObject (sample, "sum", isfinite (h->sum) ? h->sum : 0);
}

cJSON *
ddc_metrics_json (const ddc_metrics_t *self)
{
    cJSON *body = cJSON_CreateObject ();
    cJSON_AddItemToObject (body, "families", cJSON_Duplicate (self->families, 1));
    return body;
}

//  ------------------------------------------------------------------ render

//  A number as the text format writes it.
static void
s_num (double v, char out [40])
{
    if (v == 0)
        snprintf (out, 40, "0");
    else if (v == floor (v) && fabs (v) < 1e15)
        snprintf (out, 40, "%.0f", v);
    else {
        //  the shortest of 15 to 17 digits that reads back the same
        for (int digits = 15; digits <= 17; digits++) {
            snprintf (out, 40, "%.*g", digits, v);
            if (strtod (out, NULL) == v)
                break;
        }
    }
}

//  A label value or HELP text escaped: \\ and \n, and \" in a label value.
static void
s_escaped (ddc_buf_t *t, const char *s, bool quote)
{
    for (const char *p = s; *p; p++) {
        if (*p == '\\')
            ddc_buf_puts (t, "\\\\");
        else if (*p == '\n')
            ddc_buf_puts (t, "\\n");
        else if (*p == '"' && quote)
            ddc_buf_puts (t, "\\\"");
        else
            ddc_buf_add (t, p, 1);
    }
}

//  The label set of a sample as "k=\"v\",...,service=...,host=..." (with
//  le when given), or -1 when a label is not one.
static int
s_labels (ddc_buf_t *t, const cJSON *labels, const ddc_metrics_source_t *src, const char *le)
{
    const cJSON *l;
    int n = 0;
    if (labels && !cJSON_IsObject (labels))
        return -1;
    cJSON_ArrayForEach (l, labels) {
        if (!cJSON_IsString (l) || !s_label_ok (l->string) || ++n > DDC_METRICS_LABELS
            || strcmp (l->string, "service") == 0 || strcmp (l->string, "host") == 0
            || strcmp (l->string, "le") == 0)
            return -1;
        for (const cJSON *m = labels->child; m != l; m = m->next)
            if (strcmp (m->string, l->string) == 0)
                return -1; //  a label twice
        ddc_buf_puts (t, l->string);
        ddc_buf_puts (t, "=\"");
        s_escaped (t, l->valuestring, true);
        ddc_buf_puts (t, "\",");
    }
    ddc_buf_puts (t, "service=\"");
    s_escaped (t, src->service, true);
    ddc_buf_puts (t, "\",host=\"");
    s_escaped (t, src->host, true);
    ddc_buf_puts (t, "\"");
    if (le) {
        ddc_buf_puts (t, ",le=\"");
        ddc_buf_puts (t, le);
        ddc_buf_puts (t, "\"");
    }
    return 0;
}

static bool
s_number (const cJSON *item, double min, double *out)
{
    if (!cJSON_IsNumber (item) || !isfinite (item->valuedouble) || item->valuedouble < min)
        return false;
    *out = item->valuedouble;
    return true;
}

//  One line "NAME{LABELS} VALUE" into out, unless the series was written
//  already (seen).
static void
s_line (ddc_buf_t *out, zhashx_t *seen, const char *name, const char *suffix,
        const ddc_buf_t *labels, double value)
{
    char num [40];
    s_num (value, num);
    char *series = ddc_asprintf ("%s%s{%s}", name, suffix, ddc_buf_text (labels));
    if (zhashx_insert (seen, series, (void *) 1) == 0) {
        ddc_buf_puts (out, series);
        ddc_buf_puts (out, " ");
        ddc_buf_puts (out, num);
        ddc_buf_puts (out, "\n");
    }
    free (series);
}

//  A histogram sample's lines: its buckets valid (ascending bounds,
//  counts that never go down, the last +Inf with the count), or none.
static void
s_histogram (ddc_buf_t *out, zhashx_t *seen, const char *name, const cJSON *sample,
             const ddc_metrics_source_t *src)
{
    const cJSON *buckets = cJSON_GetObjectItemCaseSensitive (sample, "buckets");
    double count, sum;
    int n = cJSON_GetArraySize (buckets);
    if (!cJSON_IsArray (buckets) || n < 1 || n > DDC_HISTOGRAM_BUCKETS + 1
        || !s_number (cJSON_GetObjectItemCaseSensitive (sample, "count"), 0, &count)
        || count != floor (count)
        || !s_number (cJSON_GetObjectItemCaseSensitive (sample, "sum"), -INFINITY, &sum))
        return;
    double last_le = -INFINITY, last_count = 0;
    for (int i = 0; i < n; i++) {
        const cJSON *b = cJSON_GetArrayItem (buckets, i);
        const cJSON *le = cJSON_GetArrayItem (b, 0);
        double c;
        bool inf = cJSON_IsString (le) && strcmp (le->valuestring, "+Inf") == 0;
        if (cJSON_GetArraySize (b) != 2 || inf != (i == n - 1)
            || (!inf
                && (!cJSON_IsNumber (le) || !isfinite (le->valuedouble)
                    || le->valuedouble <= last_le))
            || !s_number (cJSON_GetArrayItem (b, 1), last_count, &c) || c != floor (c)
            || (inf && c != count))
            return;
        last_le = inf ? INFINITY : le->valuedouble;
        last_count = c;
    }
    ddc_buf_t *labels = ddc_buf_new (DDC_BUF_UNBOUNDED);
    if (s_labels (labels, cJSON_GetObjectItemCaseSensitive (sample, "labels"), src, NULL) < 0) {
        ddc_buf_destroy (&labels);
        return;
    }
    for (int i = 0; i < n; i++) {
        const cJSON *b = cJSON_GetArrayItem (buckets, i);
        const cJSON *le = cJSON_GetArrayItem (b, 0);
        char bound [40];
        if (cJSON_IsString (le))
            snprintf (bound, sizeof (bound), "+Inf");
        else
            snprintf (bound, sizeof (bound), "%.15g", le->valuedouble);
        ddc_buf_t *with_le = ddc_buf_new (DDC_BUF_UNBOUNDED);
        s_labels (with_le, cJSON_GetObjectItemCaseSensitive (sample, "labels"), src, bound);
        s_line (out, seen, name, "_bucket", with_le, cJSON_GetArrayItem (b, 1)->valuedouble);
        ddc_buf_destroy (&with_le);
    }
    s_line (out, seen, name, "_sum", labels, sum);
    s_line (out, seen, name, "_count", labels, count);
    ddc_buf_destroy (&labels);
}

//  One family of the merged text: where it came from, in order.
typedef struct {
    const cJSON *first; //  its first report's family: name, type, help
    size_t n, cap;
    struct {
        const cJSON *family;
        const ddc_metrics_source_t *src;
    } * from;
} s_family_t;

static bool
s_type_ok (const char *type)
{
    return type
           && (strcmp (type, "counter") == 0 || strcmp (type, "gauge") == 0
               || strcmp (type, "histogram") == 0);
}

char *
ddc_metrics_render (const ddc_metrics_source_t *sources, size_t n, size_t *len_p)
{
    zhashx_t *index = zhashx_new (); //  name -> s_family_t *
    s_family_t **order = NULL;
    size_t count = 0, cap = 0;
    for (size_t i = 0; i < n; i++) {
        if (!sources [i].service || !sources [i].host)
            continue;
        const cJSON *families = cJSON_GetObjectItemCaseSensitive (sources [i].body, "families");
        const cJSON *f;
        int seen_here = 0;
        cJSON_ArrayForEach (f, families) {
            if (++seen_here > DDC_METRICS_FAMILIES)
                break;
            const char *name = s_str (f, "name"), *type = s_str (f, "type");
            if (!ddc_metrics_name_ok (name) || !s_type_ok (type)
                || !cJSON_IsArray (cJSON_GetObjectItemCaseSensitive (f, "samples")))
                continue;
            s_family_t *fam = zhashx_lookup (index, name);
            if (!fam) {
                fam = ddc_calloc (1, sizeof (*fam));
                fam->first = f;
                zhashx_insert (index, name, fam);
                if (count == cap) {
                    cap = cap ? 2 * cap : 64;
                    order = ddc_realloc (order, cap * sizeof (*order));
                }
                order [count++] = fam;
            }
            else if (strcmp (s_str (fam->first, "type"), type) != 0)
                continue; //  another type: left out
            if (fam->n == fam->cap) {
                fam->cap = fam->cap ? 2 * fam->cap : 4;
                fam->from = ddc_realloc (fam->from, fam->cap * sizeof (*fam->from));
            }
            fam->from [fam->n].family = f;
            fam->from [fam->n].src = &sources [i];
            fam->n++;
        }
    }
    ddc_buf_t *out = ddc_buf_new (DDC_BUF_UNBOUNDED);
    zhashx_t *seen = zhashx_new ();
    for (size_t i = 0; i < count; i++) {
        s_family_t *fam = order [i];
        const char *name = s_str (fam->first, "name"), *type = s_str (fam->first, "type");
        const char *help = s_str (fam->first, "help");
        ddc_buf_puts (out, "# HELP ");
        ddc_buf_puts (out, name);
        ddc_buf_puts (out, " ");
        s_escaped (out, help && *help ? help : name, false);
        ddc_buf_printf (out, "\n# TYPE %s %s\n", name, type);
        bool histogram = strcmp (type, "histogram") == 0;
        zhashx_purge (seen);
        for (size_t k = 0; k < fam->n; k++) {
            const cJSON *sample;
            int samples = 0;
            cJSON_ArrayForEach (sample, cJSON_GetObjectItemCaseSensitive (fam->from [k].family,
                                                                          "samples")) {
                if (++samples > DDC_METRICS_SAMPLES)
                    break;
                if (histogram) {
                    s_histogram (out, seen, name, sample, fam->from [k].src);
                    continue;
                }
                double value;
                ddc_buf_t *labels = ddc_buf_new (DDC_BUF_UNBOUNDED);
                if (s_number (cJSON_GetObjectItemCaseSensitive (sample, "value"),
                              strcmp (type, "counter") == 0 ? 0 : -INFINITY, &value)
                    && s_labels (labels, cJSON_GetObjectItemCaseSensitive (sample, "labels"),
                                 fam->from [k].src, NULL)
                           == 0)
                    s_line (out, seen, name, "", labels, value);
                ddc_buf_destroy (&labels);
            }
        }
        free (fam->from);
        free (fam);
    }
    zhashx_destroy (&seen);
    zhashx_destroy (&index);
    free (order);
    return ddc_buf_release (&out, len_p);
}
