/*  ddc_test: the unit-test harness. Each tests/unit/test_X.c defines test
    functions with DDC_TEST, lists them in main with DDC_RUN and ends with
    DDC_DONE(). Each test runs in a forked child so a crash or sanitizer
    report is attributed to that test alone. The binary prints one line per
    test and a last line "N passed, N failed"; scripts/test-all adds them up. */
#ifndef DDC_TEST_H
#define DDC_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Leak checks run in the forked child: exiting with _exit would skip them. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define DDC_TEST_LEAKS_() (__lsan_do_recoverable_leak_check () != 0)
#else
#define DDC_TEST_LEAKS_() 0
#endif

static int ddc_test_passed_, ddc_test_failed_, ddc_test_check_failed_;
static const char *ddc_test_filter_;

#define DDC_TEST(name) static void name (void)

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (!(cond)) {                                                        \
            ddc_test_check_failed_++;                                         \
            fprintf (stderr, "%s:%d: CHECK failed: %s\n", __FILE__,           \
                     __LINE__, #cond);                                        \
        }                                                                     \
    } while (0)

#define CHECK_STR(a, b)                                                       \
    do {                                                                      \
        const char *a_ = (a), *b_ = (b);                                      \
        if (!a_ || !b_ || strcmp (a_, b_) != 0) {                             \
            ddc_test_check_failed_++;                                         \
            fprintf (stderr, "%s:%d: CHECK_STR failed: \"%s\" != \"%s\"\n",   \
                     __FILE__, __LINE__, a_ ? a_ : "(null)",                  \
                     b_ ? b_ : "(null)");                                     \
        }                                                                     \
    } while (0)

#define DDC_TEST_INIT(argc, argv)                                             \
    do {                                                                      \
        ddc_test_filter_ = (argc) > 1 ? (argv)[1] : NULL;                     \
    } while (0)

#define DDC_RUN(fn)                                                           \
    do {                                                                      \
        if (ddc_test_filter_ && !strstr (#fn, ddc_test_filter_))              \
            break;                                                            \
        fflush (stdout);                                                      \
        pid_t pid_ = fork ();                                                 \
        if (pid_ == 0) {                                                      \
            fn ();                                                            \
            fflush (stdout);                                                  \
            if (DDC_TEST_LEAKS_ ())                                           \
                ddc_test_check_failed_++;                                     \
            _exit (ddc_test_check_failed_ ? 1 : 0);                           \
        }                                                                     \
        int st_ = 0;                                                          \
        waitpid (pid_, &st_, 0);                                              \
        if (WIFEXITED (st_) && WEXITSTATUS (st_) == 0) {                      \
            ddc_test_passed_++;                                               \
            printf ("ok   %s\n", #fn);                                        \
        }                                                                     \
        else {                                                                \
            ddc_test_failed_++;                                               \
            printf ("FAIL %s\n", #fn);                                        \
        }                                                                     \
    } while (0)

#define DDC_DONE()                                                            \
    do {                                                                      \
        printf ("%d passed, %d failed\n", ddc_test_passed_, ddc_test_failed_); \
        return ddc_test_failed_ || !ddc_test_passed_ ? 1 : 0;                 \
    } while (0)

#endif
