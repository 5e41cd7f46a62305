/*  test_fdlimit: the open-file limit checked before sockets are made
    (ddc_fdlimit.c): enough descriptors free is left alone; too few under a
    higher hard limit raises the soft one by what is missing; too few under
    the hard limit is a one-line reason with both limits; and the broker's
    raise takes the soft limit to the hard one. Each test sets its own
    limits (each runs in its own process). */
#include "ddc_fdlimit.h"

#include "ddc_test.h"

#include <string.h>
#include <sys/resource.h>

static void
s_limit (rlim_t soft, rlim_t hard)
{
    struct rlimit lim = { soft, hard };
    CHECK_EQ (setrlimit (RLIMIT_NOFILE, &lim), 0);
}

static rlim_t
s_soft (void)
{
    struct rlimit lim;
    CHECK_EQ (getrlimit (RLIMIT_NOFILE, &lim), 0);
    return lim.rlim_cur;
}

DDC_TEST (test_enough_is_left_alone)
{
    s_limit (200, 400);
    char err [256] = "";
    CHECK_EQ (ddc_fdlimit_ensure (32, err, sizeof (err)), 0);
    CHECK_EQ (s_soft (), 200);
}

DDC_TEST (test_soft_raised_by_what_is_missing)
{
    s_limit (20, 400);
    char err [256] = "";
    CHECK_EQ (ddc_fdlimit_ensure (32, err, sizeof (err)), 0);
    CHECK (s_soft () > 20 && s_soft () <= 52);
    CHECK_STR (err, "");
}

DDC_TEST (test_too_few_under_the_hard_limit)
{
    s_limit (20, 24);
    char err [256] = "";
    CHECK_EQ (ddc_fdlimit_ensure (32, err, sizeof (err)), -1);
    CHECK (strstr (err, "file descriptors can be opened (open-file limit 24, hard limit 24)"));
    CHECK (strstr (err, "at least 32 are needed") && strstr (err, "ulimit -n"));
    CHECK (!strchr (err, '\n'));
}

DDC_TEST (test_raise_to_the_hard_limit)
{
    s_limit (64, 3000);
    unsigned long now = 0;
    CHECK_EQ (ddc_fdlimit_raise (&now), 64);
    CHECK_EQ (now, 3000);
    CHECK_EQ (s_soft (), 3000);
    CHECK_EQ (ddc_fdlimit_raise (&now), 0); //  already there
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_enough_is_left_alone);
    DDC_RUN (test_soft_raised_by_what_is_missing);
    DDC_RUN (test_too_few_under_the_hard_limit);
    DDC_RUN (test_raise_to_the_hard_limit);
    DDC_DONE ();
}
