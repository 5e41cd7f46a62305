/*  ddc_test: the unit-test harness. Each tests/unit/test_X.c defines test
    functions with DDC_TEST, lists them in main with DDC_RUN and ends with
    DDC_DONE(). Each test runs in a forked child so a crash or sanitizer
    report is attributed to that test alone. CHECK (cond), CHECK_EQ (a, b)
    and CHECK_STR (a, b) (these two print both values when they differ);
    DDC_SKIP (why) ends a test that cannot run here. The binary prints one
    line per test and a last line "N passed, N failed, N skipped";
    scripts/test-all adds them up. */
#ifndef DDC_TEST_H
#define DDC_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

//  Leak checks run in the forked child: exiting with _exit would skip them.
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define DDC_TEST_LEAKS_() (__lsan_do_recoverable_leak_check () != 0)
#else
#define DDC_TEST_LEAKS_() 0
#endif

static int ddc_test_passed_, ddc_test_failed_, ddc_test_skipped_, ddc_test_check_failed_;
static const char *ddc_test_filter_;

//  A skipped test's child exits with this code; the parent counts it.
#define DDC_TEST_SKIP_EXIT_ 77

#define DDC_TEST(name) static void name (void)

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            ddc_test_check_failed_++;                                                 \
            fprintf (stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                             \
    } while (0)

//  a == b for numbers (integers, floating point, enums, bool): on failure
//  both sides are printed with their values.
#define DDC_TEST_FLOAT_(x) _Generic((x), float : 1, double : 1, long double : 1, default : 0)
#define DDC_TEST_NUM_(x) \
    ((double) _Generic((x), float : (x), double : (x), long double : (x), default : 0.0))
#define DDC_TEST_INT_(x) (DDC_TEST_FLOAT_ (x) ? 0LL : (long long) (x))
#define CHECK_EQ(a, b)                                                                          \
    do {                                                                                        \
        if (!((a) == (b))) {                                                                    \
            ddc_test_check_failed_++;                                                           \
            if (DDC_TEST_FLOAT_ (a) || DDC_TEST_FLOAT_ (b))                                     \
                fprintf (stderr, "%s:%d: CHECK_EQ failed: %s == %s (%g != %g)\n", __FILE__,     \
                         __LINE__, #a, #b, DDC_TEST_NUM_ (a), DDC_TEST_NUM_ (b));               \
            else                                                                                \
                fprintf (stderr, "%s:%d: CHECK_EQ failed: %s == %s (%lld != %lld)\n", __FILE__, \
                         __LINE__, #a, #b, DDC_TEST_INT_ (a), DDC_TEST_INT_ (b));               \
        }                                                                                       \
    } while (0)

#define CHECK_STR(a, b)                                                                         \
    do {                                                                                        \
        const char *a_ = (a), *b_ = (b);                                                        \
        if (!a_ || !b_ || strcmp (a_, b_) != 0) {                                               \
            ddc_test_check_failed_++;                                                           \
            fprintf (stderr, "%s:%d: CHECK_STR failed: \"%s\" != \"%s\"\n", __FILE__, __LINE__, \
                     a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                   \
        }                                                                                       \
    } while (0)

//  Inside a test: it cannot run here (why, printed); counted as skipped,
//  neither passed nor failed.
#define DDC_SKIP(why)                 \
    do {                              \
        printf ("skip: %s\n", (why)); \
        fflush (stdout);              \
        _exit (DDC_TEST_SKIP_EXIT_);  \
    } while (0)

#define DDC_TEST_INIT(argc, argv)                          \
    do {                                                   \
        ddc_test_filter_ = (argc) > 1 ? (argv) [1] : NULL; \
    } while (0)

#define DDC_RUN(fn)                                                             \
    do {                                                                        \
        if (ddc_test_filter_ && !strstr (#fn, ddc_test_filter_))                \
            break;                                                              \
        fflush (stdout);                                                        \
        pid_t pid_ = fork ();                                                   \
        if (pid_ == 0) {                                                        \
            fn ();                                                              \
            fflush (stdout);                                                    \
            if (DDC_TEST_LEAKS_ ())                                             \
                ddc_test_check_failed_++;                                       \
            _exit (ddc_test_check_failed_ ? 1 : 0);                             \
        }                                                                       \
        int st_ = 0;                                                            \
        waitpid (pid_, &st_, 0);                                                \
        if (WIFEXITED (st_) && WEXITSTATUS (st_) == 0) {                        \
            ddc_test_passed_++;                                                 \
            printf ("ok   %s\n", #fn);                                          \
        }                                                                       \
        else if (WIFEXITED (st_) && WEXITSTATUS (st_) == DDC_TEST_SKIP_EXIT_) { \
            ddc_test_skipped_++;                                                \
            printf ("SKIP %s\n", #fn);                                          \
        }                                                                       \
        else {                                                                  \
            ddc_test_failed_++;                                                 \
            printf ("FAIL %s\n", #fn);                                          \
        }                                                                       \
    } while (0)

#define DDC_DONE()                                                                        \
    do {                                                                                  \
        printf ("%d passed, %d failed, %d skipped\n", ddc_test_passed_, ddc_test_failed_, \
                ddc_test_skipped_);                                                       \
        return ddc_test_failed_ || !ddc_test_passed_ ? 1 : 0;                             \
    } while (0)

#endif
