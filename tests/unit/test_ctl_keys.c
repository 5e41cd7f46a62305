/*  Unit tests of ddc-ctl keygen's "instances" list check
    (services/ctl/cmd_keys.c: ctl_instances_error). The module is compiled
    in, with the option parser and ctl_fail stubbed. */
#include "../../services/ctl/cmd_keys.c"
#include "ddc_test.h"

int
ctl_fail (ctl_t *ctl, int code, const char *fmt, ...)
{
    (void) ctl;
    (void) fmt;
    return code;
}

int
ctl_getopt (ctl_t *ctl, int argc, char **argv, const char *shortopts, const struct option *opts,
            ctl_opt_fn *fn, void *arg, const char *usage, int *first)
{
    (void) ctl, (void) argc, (void) argv, (void) shortopts, (void) opts, (void) fn;
    (void) arg, (void) usage;
    *first = 1;
    return -1;
}

DDC_TEST (test_instances_valid)
{
    CHECK (ctl_instances_error ("nas") == NULL);
    CHECK (ctl_instances_error ("nas,pi,nuc-2") == NULL);
    CHECK (ctl_instances_error ("web-*") == NULL);
    CHECK (ctl_instances_error ("*") == NULL);
    CHECK (ctl_instances_error ("main,web-*,w*") == NULL);
    char long_name [64];
    memset (long_name, 'a', 63);
    long_name [63] = '\0';
    CHECK (ctl_instances_error (long_name) == NULL);
}

DDC_TEST (test_instances_invalid)
{
    CHECK (ctl_instances_error ("") != NULL);
    CHECK (strstr (ctl_instances_error (","), "empty entry"));
    CHECK (strstr (ctl_instances_error ("nas,"), "empty entry"));
    CHECK (strstr (ctl_instances_error ("a*b"), "not an instance name"));
    CHECK (strstr (ctl_instances_error ("**"), "'*' that is not at the end"));
    CHECK (strstr (ctl_instances_error ("-x*"), "prefix"));
    CHECK (ctl_instances_error ("nas pi") != NULL);
    CHECK (ctl_instances_error ("web@1") != NULL);
    CHECK (ctl_instances_error ("a/b") != NULL);
    char long_name [65];
    memset (long_name, 'a', 64);
    long_name [64] = '\0';
    CHECK (ctl_instances_error (long_name) != NULL);
    char *big = ddc_malloc (1200);
    memset (big, 'a', 1199);
    big [1199] = '\0';
    for (int i = 10; i < 1199; i += 11)
        big [i] = ',';
    CHECK (strstr (ctl_instances_error (big), "longer than 1000"));
    free (big);
}

int
main (int argc, char *argv [])
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_instances_valid);
    DDC_RUN (test_instances_invalid);
    DDC_DONE ();
}
