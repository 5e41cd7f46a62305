/*  test_docker_parse: unit tests of services/docker/docker_parse.c with
    replies captured from the real dockerd 20.10.24 (API 1.41, cgroup v1)
    of this machine with curl --unix-socket and trimmed, plus malformed and
    hostile inputs: wrong types, huge numbers, missing fields, truncated
    JSON, bad log frames. The parser source is compiled in directly. */
#include "../../services/docker/docker_parse.c"

#include "ddc_test.h"

#include <math.h>

//  --------------------------------------------------------------------------
//  Captured replies

//  GET /v1.41/containers/json?all=1 (4 of 7 entries, NetworkSettings cut);
//  the last one was created from a tag deleted with `docker rmi -f`.
static const char *LIST_JSON =
    "[{\"Id\":\"7a414cfb8531f206a1093acdb365a6dcd92e66766cd9ea524b76b731206220e9\",\"Names"
    "\":[\"/ddccap-health\"],\"Image\":\"ddc-busybox\",\"ImageID\":\"sha256:97b0715f69f75a07654"
    "9ed66660b63784711053e028b30ad5edbf93f6ce3735c\",\"Command\":\"sleep 100000\",\"Created"
    "\":1795769617,\"Ports\":[],\"Labels\":{},\"State\":\"running\",\"Status\":\"Up 3 seconds (he"
    "althy)\",\"HostConfig\":{\"NetworkMode\":\"none\"},\"NetworkSettings\":{\"Networks\":{\"none"
    "\":{\"NetworkID\":\"b898cf152597\"}}},\"Mounts\":[]},{\"Id\":\"c6083d46b8354f2c4bb464d3965"
    "13aed3483d78951b9861c783f87d09b140382\",\"Names\":[\"/ddccap-exited\"],\"Image\":\"ddc-b"
    "usybox\",\"ImageID\":\"sha256:97b0715f69f75a076549ed66660b63784711053e028b30ad5edbf9"
    "3f6ce3735c\",\"Command\":\"sh -c 'exit 3'\",\"Created\":1795769617,\"Ports\":[],\"Labels\":"
    "{},\"State\":\"exited\",\"Status\":\"Exited (3) 3 seconds ago\",\"HostConfig\":{\"NetworkMo"
    "de\":\"none\"},\"NetworkSettings\":{\"Networks\":{\"none\":{\"NetworkID\":\"b898cf152597\"}}}"
    ",\"Mounts\":[]},{\"Id\":\"10601e018a2322ec14d02b452325ffc20084adca5effcdc0ce4182cfcaf"
    "1ed0f\",\"Names\":[\"/ddccap-created\"],\"Image\":\"ddc-busybox\",\"ImageID\":\"sha256:97b07"
    "15f69f75a076549ed66660b63784711053e028b30ad5edbf93f6ce3735c\",\"Command\":\"sleep 1\""
    ",\"Created\":1795769617,\"Ports\":[],\"Labels\":{},\"State\":\"created\",\"Status\":\"Created"
    "\",\"HostConfig\":{\"NetworkMode\":\"none\"},\"NetworkSettings\":{\"Networks\":{\"none\":{\"Ne"
    "tworkID\":\"\"}}},\"Mounts\":[]},{\"Id\":\"1386bef7a0492b03a67ff83b25a421bb5de0104f21d6b"
    "c0c4ed804767ac71b31\",\"Names\":[\"/ddccap-orphan\"],\"Image\":\"sha256:97b0715f69f75a07"
    "6549ed66660b63784711053e028b30ad5edbf93f6ce3735c\",\"ImageID\":\"sha256:97b0715f69f7"
    "5a076549ed66660b63784711053e028b30ad5edbf93f6ce3735c\",\"Command\":\"sleep 1\",\"Creat"
    "ed\":1795769635,\"Ports\":[],\"Labels\":{},\"State\":\"created\",\"Status\":\"Created\",\"Host"
    "Config\":{\"NetworkMode\":\"none\"},\"NetworkSettings\":{\"Networks\":{\"none\":{\"NetworkID"
    "\":\"\"}}},\"Mounts\":[]}]";

//  GET /v1.41/containers/NAME/json (paths, mounts, HostConfig cut).
static const char *INSPECT_HEALTH_JSON =
    "{\"Id\":\"7a414cfb8531f206a1093acdb365a6dcd92e66766cd9ea524b76b731206220e9\",\"Create"
    "d\":\"2026-11-27T08:53:37.446029115Z\",\"Path\":\"sleep\",\"Args\":[\"100000\"],\"State\":{\"S"
    "tatus\":\"running\",\"Running\":true,\"Paused\":false,\"Restarting\":false,\"OOMKilled\":fa"
    "lse,\"Dead\":false,\"Pid\":16737,\"ExitCode\":0,\"Error\":\"\",\"StartedAt\":\"2026-11-27T08:"
    "53:37.629603226Z\",\"FinishedAt\":\"0001-01-01T00:00:00Z\",\"Health\":{\"Status\":\"health"
    "y\",\"FailingStreak\":0,\"Log\":[{\"Start\":\"2026-11-27T08:53:38.629932772Z\",\"End\":\"202"
    "6-11-27T08:53:38.680042275Z\",\"ExitCode\":0,\"Output\":\"\"}]}},\"Image\":\"sha256:97b071"
    "5f69f75a076549ed66660b63784711053e028b30ad5edbf93f6ce3735c\",\"Name\":\"/ddccap-heal"
    "th\",\"RestartCount\":0,\"Driver\":\"overlay2\",\"Platform\":\"linux\",\"HostConfig\":{\"Netwo"
    "rkMode\":\"none\",\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0}},\"Config\":{\"H"
    "ostname\":\"7a414cfb8531\",\"Tty\":false,\"Env\":[\"PATH=/"
    "bin\"],\"Cmd\":[\"sleep\",\"100000\"]"
    ",\"Image\":\"ddc-busybox\",\"Labels\":{}}}";

static const char *INSPECT_CREATED_JSON =
    "{\"Id\":\"10601e018a2322ec14d02b452325ffc20084adca5effcdc0ce4182cfcaf1ed0f\",\"Create"
    "d\":\"2026-11-27T08:53:37.254901312Z\",\"Path\":\"sleep\",\"Args\":[\"1\"],\"State\":{\"Status"
    "\":\"created\",\"Running\":false,\"Paused\":false,\"Restarting\":false,\"OOMKilled\":false,"
    "\"Dead\":false,\"Pid\":0,\"ExitCode\":0,\"Error\":\"\",\"StartedAt\":\"0001-01-01T00:00:00Z\","
    "\"FinishedAt\":\"0001-01-01T00:00:00Z\"},\"Image\":\"sha256:97b0715f69f75a076549ed66660"
    "b63784711053e028b30ad5edbf93f6ce3735c\",\"Name\":\"/ddccap-created\",\"RestartCount\":0"
    ",\"Driver\":\"overlay2\",\"Platform\":\"linux\",\"HostConfig\":{\"NetworkMode\":\"none\","
    "\"Rest"
    "artPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0}},\"Config\":{\"Hostname\":\"10601e018a"
    "23\",\"Tty\":false,\"Env\":[\"PATH=/"
    "bin\"],\"Cmd\":[\"sleep\",\"1\"],\"Image\":\"ddc-busybox\",\"L"
    "abels\":{}}}";

static const char *INSPECT_TTY_JSON =
    "{\"Id\":\"bd898611f80b6df64f4e2078bfaaf06d90c16b4eb5120f00f5c8fea7c5ac22e5\",\"Create"
    "d\":\"2026-11-27T08:53:37.071015287Z\",\"Path\":\"sh\",\"Args\":[\"-c\",\"echo ttyline1; ech"
    "o ttyline2; sleep 100000\"],\"State\":{\"Status\":\"running\",\"Running\":true,\"Paused\":f"
    "alse,\"Restarting\":false,\"OOMKilled\":false,\"Dead\":false,\"Pid\":16580,\"ExitCode\":0,"
    "\"Error\":\"\",\"StartedAt\":\"2026-11-27T08:53:37.237050934Z\",\"FinishedAt\":\"0001-01-01"
    "T00:00:00Z\"},\"Image\":\"sha256:97b0715f69f75a076549ed66660b63784711053e028b30ad5ed"
    "bf93f6ce3735c\",\"Name\":\"/ddccap-tty\",\"RestartCount\":0,\"Driver\":\"overlay2\",\"Platfo"
    "rm\":\"linux\",\"HostConfig\":{\"NetworkMode\":\"none\",\"RestartPolicy\":{\"Name\":\"no\","
    "\"Max"
    "imumRetryCount\":0}},\"Config\":{\"Hostname\":\"bd898611f80b\",\"Tty\":true,\"Env\":[\"PATH="
    "/bin\"],\"Cmd\":[\"sh\",\"-c\",\"echo ttyline1; echo ttyline2; sleep 100000\"],\"Image\":\"d"
    "dc-busybox\",\"Labels\":{}}}";

static const char *INSPECT_EXITED_JSON =
    "{\"Id\":\"c6083d46b8354f2c4bb464d396513aed3483d78951b9861c783f87d09b140382\",\"Create"
    "d\":\"2026-11-27T08:53:37.272538101Z\",\"Path\":\"sh\",\"Args\":[\"-c\",\"exit "
    "3\"],\"State\":{"
    "\"Status\":\"exited\",\"Running\":false,\"Paused\":false,\"Restarting\":false,\"OOMKilled\":"
    "false,\"Dead\":false,\"Pid\":0,\"ExitCode\":3,\"Error\":\"\",\"StartedAt\":\"2026-11-27T08:53"
    ":37.410740755Z\",\"FinishedAt\":\"2026-11-27T08:53:37.412561026Z\"},\"Image\":\"sha256:9"
    "7b0715f69f75a076549ed66660b63784711053e028b30ad5edbf93f6ce3735c\",\"Name\":\"/ddccap"
    "-exited\",\"RestartCount\":0,\"Driver\":\"overlay2\",\"Platform\":\"linux\",\"HostConfig\":{\""
    "NetworkMode\":\"none\",\"RestartPolicy\":{\"Name\":\"no\",\"MaximumRetryCount\":0}},\"Config"
    "\":{\"Hostname\":\"c6083d46b835\",\"Tty\":false,\"Env\":[\"PATH=/"
    "bin\"],\"Cmd\":[\"sh\",\"-c\",\"e"
    "xit 3\"],\"Image\":\"ddc-busybox\",\"Labels\":{}}}";

//  GET /v1.41/containers/NAME/stats?stream=false (cgroup v1 host), with
//  &one-shot=true, and of an exited container.
static const char *STATS_RUN_JSON =
    "{\"read\":\"2026-11-27T08:53:41.680953558Z\",\"preread\":\"2026-11-27T08:53:40.67657445"
    "5Z\",\"pids_stats\":{\"current\":1},\"blkio_stats\":{},\"num_procs\":0,\"storage_stats\":{}"
    ",\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":20802036,\"percpu_usage\":[6423486,143785"
    "50],\"usage_in_kernelmode\":0,\"usage_in_usermode\":10000000},\"system_cpu_usage\":178"
    "7400000000,\"online_cpus\":2,\"throttling_data\":{\"periods\":0,\"throttled_periods\":0,"
    "\"throttled_time\":0}},\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":20802036,\"percpu"
    "_usage\":[6423486,14378550],\"usage_in_kernelmode\":0,\"usage_in_usermode\":10000000}"
    ",\"system_cpu_usage\":1785420000000,\"online_cpus\":2,\"throttling_data\":{\"periods\":0"
    ",\"throttled_periods\":0,\"throttled_time\":0}},\"memory_stats\":{\"usage\":327680,\"max_"
    "usage\":4308992,\"stats\":{\"active_anon\":4096,\"active_file\":0,\"cache\":0,\"dirty\":0,\""
    "hierarchical_memory_limit\":9223372036854771712,\"hierarchical_memsw_limit\":922337"
    "2036854771712,\"inactive_anon\":49152,\"inactive_file\":0,\"mapped_file\":0,\"pgfault\":"
    "1147,\"pgmajfault\":0,\"pgpgin\":835,\"pgpgout\":822,\"rss\":53248,\"rss_huge\":0,\"total_a"
    "ctive_anon\":4096,\"total_active_file\":0,\"total_cache\":0,\"total_dirty\":0,\"total_in"
    "active_anon\":49152,\"total_inactive_file\":0,\"total_mapped_file\":0,\"total_pgfault\""
    ":1147,\"total_pgmajfault\":0,\"total_pgpgin\":835,\"total_pgpgout\":822,\"total_rss\":53"
    "248,\"total_rss_huge\":0,\"total_unevictable\":0,\"total_writeback\":0,\"unevictable\":0"
    ",\"writeback\":0},\"limit\":25276510208},\"name\":\"/ddccap-run\",\"id\":\"fe49548d010b84b9"
    "b998165b6a7bde9cfcc0516e249ba0c1344c79bcad5b6be5\"}";

static const char *STATS_ONESHOT_JSON =
    "{\"read\":\"2026-11-27T08:53:42.68334424Z\",\"preread\":\"0001-01-01T00:00:00Z\",\"pids_s"
    "tats\":{\"current\":1},\"blkio_stats\":{},\"num_procs\":0,\"storage_stats\":{},\"cpu_stats"
    "\":{\"cpu_usage\":{\"total_usage\":20802036,\"percpu_usage\":[6423486,14378550],\"usage_"
    "in_kernelmode\":0,\"usage_in_usermode\":10000000},\"system_cpu_usage\":1789410000000,"
    "\"online_cpus\":2,\"throttling_data\":{\"periods\":0,\"throttled_periods\":0,\"throttled_"
    "time\":0}},\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":0,\"usage_in_kernelmode\":0,\""
    "usage_in_usermode\":0},\"throttling_data\":{\"periods\":0,\"throttled_periods\":0,\"thro"
    "ttled_time\":0}},\"memory_stats\":{\"usage\":327680,\"max_usage\":4308992,\"stats\":{\"act"
    "ive_anon\":4096,\"active_file\":0,\"cache\":0,\"dirty\":0,\"hierarchical_memory_limit\":9"
    "223372036854771712,\"hierarchical_memsw_limit\":9223372036854771712,\"inactive_anon"
    "\":49152,\"inactive_file\":0,\"mapped_file\":0,\"pgfault\":1147,\"pgmajfault\":0,\"pgpgin\""
    ":835,\"pgpgout\":822,\"rss\":53248,\"rss_huge\":0,\"total_active_anon\":4096,\"total_acti"
    "ve_file\":0,\"total_cache\":0,\"total_dirty\":0,\"total_inactive_anon\":49152,\"total_in"
    "active_file\":0,\"total_mapped_file\":0,\"total_pgfault\":1147,\"total_pgmajfault\":0,\""
    "total_pgpgin\":835,\"total_pgpgout\":822,\"total_rss\":53248,\"total_rss_huge\":0,\"tota"
    "l_unevictable\":0,\"total_writeback\":0,\"unevictable\":0,\"writeback\":0},\"limit\":2527"
    "6510208},\"name\":\"/ddccap-run\",\"id\":\"fe49548d010b84b9b998165b6a7bde9cfcc0516e249b"
    "a0c1344c79bcad5b6be5\"}";

static const char *STATS_EXITED_JSON =
    "{\"read\":\"0001-01-01T00:00:00Z\",\"preread\":\"0001-01-01T00:00:00Z\",\"pids_stats\":{},"
    "\"blkio_stats\":{},\"num_procs\":0,\"storage_stats\":{},\"cpu_stats\":{\"cpu_usage\":{\"tot"
    "al_usage\":0,\"usage_in_kernelmode\":0,\"usage_in_usermode\":0},\"throttling_data\":{\"p"
    "eriods\":0,\"throttled_periods\":0,\"throttled_time\":0}},\"precpu_stats\":{\"cpu_usage\""
    ":{\"total_usage\":0,\"usage_in_kernelmode\":0,\"usage_in_usermode\":0},\"throttling_dat"
    "a\":{\"periods\":0,\"throttled_periods\":0,\"throttled_time\":0}},\"memory_stats\":{},\"na"
    "me\":\"/ddccap-exited\",\"id\":\"c6083d46b8354f2c4bb464d396513aed3483d78951b9861c783f8"
    "7d09b140382\"}";

//  GET /v1.41/events lines.
static const char *EV_CREATE =
    "{\"status\":\"create\",\"id\":\"fe49548d010b84b9b998165b6a7bde9cfcc0516e249ba0c1344c79b"
    "cad5b6be5\",\"from\":\"ddc-busybox\",\"Type\":\"container\",\"Action\":\"create\",\"Actor\":{"
    "\"I"
    "D\":\"fe49548d010b84b9b998165b6a7bde9cfcc0516e249ba0c1344c79bcad5b6be5\",\"Attribute"
    "s\":{\"image\":\"ddc-busybox\",\"name\":\"ddccap-run\"}},\"scope\":\"local\",\"time\":"
    "179576961"
    "6,\"timeNano\":1795769616733359703}";

static const char *EV_START =
    "{\"status\":\"start\",\"id\":\"fe49548d010b84b9b998165b6a7bde9cfcc0516e249ba0c1344c79bc"
    "ad5b6be5\",\"from\":\"ddc-busybox\",\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{"
    "\"ID\""
    ":\"fe49548d010b84b9b998165b6a7bde9cfcc0516e249ba0c1344c79bcad5b6be5\",\"Attributes\""
    ":{\"image\":\"ddc-busybox\",\"name\":\"ddccap-run\"}},\"scope\":\"local\",\"time\":1795769616,"
    "\"timeNano\":1795769616878166209}";

static const char *EV_HEALTH =
    "{\"status\":\"health_status: healthy\",\"id\":\"7a414cfb8531f206a1093acdb365a6dcd92e667"
    "66cd9ea524b76b731206220e9\",\"from\":\"ddc-busybox\",\"Type\":\"container\",\"Action\":\"hea"
    "lth_status: healthy\",\"Actor\":{\"ID\":\"7a414cfb8531f206a1093acdb365a6dcd92e66766cd9"
    "ea524b76b731206220e9\",\"Attributes\":{\"image\":\"ddc-busybox\",\"name\":\"ddccap-health\""
    "}},\"scope\":\"local\",\"time\":1795769618,\"timeNano\":1795769618683363577}";

static const char *EV_EXEC =
    "{\"status\":\"exec_start: /bin/sh -c true\",\"id\":\"7a414cfb8531f206a1093acdb365a6dcd9"
    "2e66766cd9ea524b76b731206220e9\",\"from\":\"ddc-busybox\",\"Type\":\"container\",\"Action\""
    ":\"exec_start: /bin/sh -c true\",\"Actor\":{\"ID\":\"7a414cfb8531f206a1093acdb365a6dcd9"
    "2e66766cd9ea524b76b731206220e9\",\"Attributes\":{\"execID\":\"bb8cf21c9485b0f0a78e26e8"
    "b315860a319e6caafff2ad29dbba62b07d9bad04\",\"image\":\"ddc-busybox\",\"name\":\"ddccap-h"
    "ealth\"}},\"scope\":\"local\",\"time\":1795769618,\"timeNano\":1795769618630074073}";

static const char *EV_DIE =
    "{\"status\":\"die\",\"id\":\"c6083d46b8354f2c4bb464d396513aed3483d78951b9861c783f87d09b"
    "140382\",\"from\":\"ddc-busybox\",\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":"
    "\"c6"
    "083d46b8354f2c4bb464d396513aed3483d78951b9861c783f87d09b140382\",\"Attributes\":{\"e"
    "xitCode\":\"3\",\"image\":\"ddc-busybox\",\"name\":\"ddccap-exited\"}},\"scope\":\"local\","
    "\"tim"
    "e\":1795769617,\"timeNano\":1795769617426653413}";

static const char *EV_NETWORK =
    "{\"Type\":\"network\",\"Action\":\"connect\",\"Actor\":{\"ID\":\"b898cf152597f2c8149f32702448"
    "c9320715d88bbbf721370bf0579b51225c39\",\"Attributes\":{\"container\":\"fe49548d010b84b"
    "9b998165b6a7bde9cfcc0516e249ba0c1344c79bcad5b6be5\",\"name\":\"none\",\"type\":\"null\"}}"
    ",\"scope\":\"local\",\"time\":1795769616,\"timeNano\":1795769616737914375}";

//  GET /version.
static const char *VERSION_JSON =
    "{\"Platform\":{\"Name\":\"\"},\"Components\":[{\"Name\":\"Engine\",\"Version\":\"20.10.24+"
    "dfsg1"
    "\",\"Details\":{\"ApiVersion\":\"1.41\",\"Arch\":\"amd64\",\"BuildTime\":\"2026-05-07T21:09:36"
    ".000000000+00:00\",\"Experimental\":\"false\",\"GitCommit\":\"5d6db84\",\"GoVersion\":\"go1."
    "19.8\",\"KernelVersion\":\"6.18.44-fc-v657\",\"MinAPIVersion\":\"1.12\",\"Os\":\"linux\"}},{\""
    "Name\":\"containerd\",\"Version\":\"1.6.20~ds1\",\"Details\":{\"GitCommit\":\"1.6.20~ds1-1+d"
    "eb12u3\"}},{\"Name\":\"runc\",\"Version\":\"1.1.5+ds1\",\"Details\":{\"GitCommit\":\"1.1.5+ds1"
    "-1+deb12u1\"}},{\"Name\":\"docker-init\",\"Version\":\"0.19.0\",\"Details\":{\"GitCommit\":"
    "\"\""
    "}}],\"Version\":\"20.10.24+dfsg1\",\"ApiVersion\":\"1.41\",\"MinAPIVersion\":\"1.12\",\"GitCo"
    "mmit\":\"5d6db84\",\"GoVersion\":\"go1.19.8\",\"Os\":\"linux\",\"Arch\":\"amd64\","
    "\"KernelVersio"
    "n\":\"6.18.44-fc-v657\",\"BuildTime\":\"2026-05-07T21:09:36.000000000+00:00\"}";

//  GET /v1.41/containers/ddccap-echo/logs?stdout=1&stderr=1&tail=4 (no TTY)
//  and .../ddccap-tty/logs?...&tail=4 (docker run -t).
static const unsigned char LOGS_MUX [] = { 0x01, 0, 0, 0, 0, 0, 0, 6, 'l', 'i', 'n', 'e', '2', '\n',
                                           0x01, 0, 0, 0, 0, 0, 0, 6, 'l', 'i', 'n', 'e', '3', '\n',
                                           0x01, 0, 0, 0, 0, 0, 0, 6, 'l', 'i', 'n', 'e', '4', '\n',
                                           0x01, 0, 0, 0, 0, 0, 0, 6, 'l', 'i', 'n', 'e', '5', '\n' };
static const char LOGS_TTY [] = "ttyline1\r\nttyline2\r\n";

static const char *ERR_404 = "{\"message\":\"No such container: nosuch\"}\n";

//  --------------------------------------------------------------------------
//  Helpers

static bool
s_near (double a, double b)
{
    return fabs (a - b) < 1e-9 * (fabs (b) > 1 ? fabs (b) : 1);
}

static docker_list_t *
s_list (const char *json)
{
    return docker_list_parse (json, strlen (json), NULL, 0);
}

static int
s_inspect (const char *json, docker_inspect_t *in)
{
    return docker_inspect_parse (json, strlen (json), in);
}

static int
s_stats (const char *json, docker_stats_t *st)
{
    return docker_stats_parse (json, strlen (json), st);
}

static int
s_event (const char *json, docker_event_t *ev)
{
    return docker_event_parse (json, strlen (json), ev);
}

//  Logs as text (caller frees), or NULL on error.
static char *
s_logs (const void *data, size_t len, int mode, size_t max_lines, size_t max_bytes, size_t *lines)
{
    char *text = NULL;
    if (docker_logs_text (data, len, mode, max_lines, max_bytes, &text, lines) != 0)
        return NULL;
    return text;
}

//  --------------------------------------------------------------------------
//  Names, times, versions

DDC_TEST (test_name_valid)
{
    CHECK (docker_name_valid ("web"));
    CHECK (docker_name_valid ("a"));
    CHECK (docker_name_valid ("My_app-1.2"));
    CHECK (docker_name_valid ("7a414cfb8531"));
    CHECK (!docker_name_valid (NULL));
    CHECK (!docker_name_valid (""));
    CHECK (!docker_name_valid ("/web"));
    CHECK (!docker_name_valid ("-web"));
    CHECK (!docker_name_valid (".web"));
    CHECK (!docker_name_valid (".."));
    CHECK (!docker_name_valid ("we b"));
    CHECK (!docker_name_valid ("a/b"));
    CHECK (!docker_name_valid ("a?b"));
    CHECK (!docker_name_valid ("a%2f"));
    CHECK (!docker_name_valid ("caf\xc3\xa9"));
    char name [300];
    memset (name, 'a', sizeof (name));
    name [255] = '\0';
    CHECK (docker_name_valid (name));
    name [255] = 'a';
    name [256] = '\0';
    CHECK (!docker_name_valid (name));
}

DDC_TEST (test_parse_time)
{
    int64_t t = -1;
    CHECK (docker_parse_time ("2026-11-27T08:53:37.629603226Z", &t) == 0 && t == 1795769617);
    CHECK (docker_parse_time ("2026-11-27T08:53:37Z", &t) == 0 && t == 1795769617);
    CHECK (docker_parse_time ("2026-11-27T09:53:37.5+01:00", &t) == 0 && t == 1795769617);
    CHECK (docker_parse_time ("2026-11-27T07:53:37-00:00", &t) == 0 && t == 1795766017);
    CHECK (docker_parse_time ("2000-02-29T12:00:00Z", &t) == 0 && t == 951825600);
    CHECK (docker_parse_time ("1970-01-01T00:00:00Z", &t) == 0 && t == 0);
    t = -1;
    CHECK (docker_parse_time ("0001-01-01T00:00:00Z", &t) == 0 && t == 0);
    const char *bad [] = {
        "",
        "0",
        "2026-11-27",
        "2026-11-27T08:53:37",
        "2026-11-27 08:53:37Z",
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2001-02-29T00:00:00Z",
        "2026-11-27T24:00:00Z",
        "2026-11-27T08:60:00Z",
        "2026-11-27T08:53:61Z",
        "2026-11-27T08:53:37.Z",
        "2026-11-27T08:53:37ZZ",
        "2026-11-27T08:53:37+0100",
        "2026-11-27T08:53:37+25:00",
        "+2026-11-27T08:53:37Z",
        "2026-11-27T08:53:37.1234567890123456789012345678901234567890Z",
        "２０２６-11-27T08:53:37Z",
    };
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad [0]); i++) {
        if (docker_parse_time (bad [i], &t) == 0)
            fprintf (stderr, "accepted bad time '%s'\n", bad [i]);
        CHECK_EQ (docker_parse_time (bad [i], &t), -1);
    }
    CHECK (docker_parse_time (NULL, &t) == -1);
}

DDC_TEST (test_api_version)
{
    int ma = 0, mi = 0;
    CHECK (docker_parse_api_version ("1.41", &ma, &mi) == 0 && ma == 1 && mi == 41);
    CHECK (docker_parse_api_version ("1.9", &ma, &mi) == 0 && ma == 1 && mi == 9);
    CHECK (docker_parse_api_version ("2.0", &ma, &mi) == 0 && ma == 2 && mi == 0);
    const char *bad [] = { "",      "1",    "1.",      ".41",  "v1.41", "1.41.0",
                           "1.41 ", "1,41", "12345.1", "1.-1", "1.4a" };
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad [0]); i++)
        CHECK_EQ (docker_parse_api_version (bad [i], &ma, &mi), -1);
    CHECK (docker_parse_api_version (NULL, &ma, &mi) == -1);
}

//  --------------------------------------------------------------------------
//  Container list

DDC_TEST (test_list_real)
{
    docker_list_t *list = s_list (LIST_JSON);
    CHECK (list != NULL);
    if (!list)
        return;
    CHECK (list->count == 4);
    CHECK (list->skipped == 0);
    CHECK (!list->truncated);
    CHECK_STR (list->items [0].id,
               "7a414cfb8531f206a1093acdb365a6dcd92e66766cd9ea524b76b731206220e9");
    CHECK_STR (list->items [0].name, "ddccap-health");
    CHECK_STR (list->items [0].image, "ddc-busybox");
    CHECK_STR (list->items [0].state, "running");
    CHECK_STR (list->items [0].status, "Up 3 seconds (healthy)");
    CHECK (list->items [0].created == 1795769617);
    CHECK_STR (list->items [1].name, "ddccap-exited");
    CHECK_STR (list->items [1].state, "exited");
    CHECK_STR (list->items [1].status, "Exited (3) 3 seconds ago");
    CHECK_STR (list->items [2].state, "created");
    //  The image tag was deleted: Docker lists the image id, we keep it.
    CHECK_STR (list->items [3].name, "ddccap-orphan");
    CHECK_STR (list->items [3].image,
               "sha256:97b0715f69f75a076549ed66660b63784711053e028b30ad5edbf93f6ce3735c");
    docker_list_destroy (&list);
    CHECK (list == NULL);
    docker_list_destroy (&list);
    docker_list_destroy (NULL);
}

DDC_TEST (test_list_empty_and_malformed)
{
    docker_list_t *list = s_list ("[]");
    CHECK (list && list->count == 0);
    docker_list_destroy (&list);
    const char *bad [] = {
        "", "{}", "null", "\"[]\"", "[{\"Id\":\"ab\"", "[", "]", "[1,", "{\"message\":\"x\"}"
    };
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad [0]); i++)
        CHECK (s_list (bad [i]) == NULL);
    CHECK (docker_list_parse (NULL, 0, NULL, 0) == NULL);
    CHECK (docker_list_parse (NULL, 10, NULL, 0) == NULL);
    //  Truncated at every length: never a crash, never a partial list.
    size_t len = strlen (LIST_JSON);
    for (size_t n = 0; n < len; n++) {
        list = docker_list_parse (LIST_JSON, n, NULL, 0);
        CHECK (list == NULL);
        docker_list_destroy (&list);
    }
}

DDC_TEST (test_list_hostile_entries)
{
    const char *json =
        "[1, \"x\", null, [],"
        "{\"Names\":[\"/noid\"]},"
        "{\"Id\":42,\"Names\":[\"/numid\"]},"
        "{\"Id\":\"XYZ\",\"Names\":[\"/badid\"]},"
        "{\"Id\":\""
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0"
        "\","
        " \"Names\":[\"/longid\"]},"
        "{\"Id\":\"ab\",\"Names\":\"/notarray\"},"
        "{\"Id\":\"ab\",\"Names\":[]},"
        "{\"Id\":\"ab\",\"Names\":[\"/bad name\"]},"
        "{\"Id\":\"ab\",\"Names\":[\"/\"]},"
        "{\"Id\":\"ab\",\"Names\":[7]},"
        //  valid ones: link aliases skipped, odd types tolerated
        "{\"Id\":\"cd\",\"Names\":[\"/web/db\",\"/db\"],\"Image\":5,\"ImageID\":\"sha256:ee\","
        " \"State\":[],\"Status\":{},\"Created\":1e300},"
        "{\"Id\":\"ef\",\"Names\":[\"/neg\"],\"Image\":\"\",\"Created\":-5,\"State\":\"running\"},"
        "{\"Id\":\"01\",\"Names\":[\"/huge\"],\"Created\":123456789012345678901234567890}"
        "]";
    docker_list_t *list = s_list (json);
    CHECK (list != NULL);
    if (!list)
        return;
    CHECK (list->count == 3);
    CHECK (list->skipped == 13);
    CHECK_STR (list->items [0].name, "db");
    CHECK_STR (list->items [0].image, "sha256:ee"); //  Image not a string: ImageID
    CHECK_STR (list->items [0].state, "");
    CHECK_STR (list->items [0].status, "");
    CHECK (list->items [0].created == 0);
    CHECK_STR (list->items [1].name, "neg");
    CHECK_STR (list->items [1].image, "");
    CHECK (list->items [1].created == 0);
    CHECK (list->items [2].created == 0);
    docker_list_destroy (&list);
}

DDC_TEST (test_list_long_strings_truncated)
{
    //  Image of 2000 x "é" (2 bytes each): cut at a UTF-8 boundary.
    char *image = ddc_malloc (4001);
    for (int i = 0; i < 2000; i++)
        memcpy (image + 2 * i, "\xc3\xa9", 2);
    image [4000] = '\0';
    char *json = ddc_asprintf ("[{\"Id\":\"ab\",\"Names\":[\"/x1\"],\"Image\":\"%s\","
                               "\"State\":\"running-with-a-very-long-state\","
                               "\"Status\":\"%s\"}]",
                               image, image);
    docker_list_t *list = s_list (json);
    CHECK (list && list->count == 1);
    if (list && list->count == 1) {
        size_t n = strlen (list->items [0].image);
        CHECK_EQ (n, 510); //  511 would split a character
        CHECK_EQ (strncmp (list->items [0].image, image, n), 0);
        CHECK_EQ (strlen (list->items [0].state), DOCKER_STATE_MAX - 1);
        CHECK_EQ (strlen (list->items [0].status), 126);
    }
    docker_list_destroy (&list);
    free (json);
    free (image);
}

DDC_TEST (test_list_capped)
{
    //  More entries than DOCKER_LIST_MAX: the first ones, marked truncated.
    size_t n = DOCKER_LIST_MAX + 10;
    size_t cap = n * 64 + 16;
    char *json = ddc_malloc (cap);
    size_t len = 0;
    json [len++] = '[';
    for (size_t i = 0; i < n; i++)
        len += (size_t) snprintf (json + len, cap - len, "%s{\"Id\":\"%zx\",\"Names\":[\"/c%zu\"]}",
                                  i ? "," : "", i + 1, i);
    json [len++] = ']';
    docker_list_t *list = docker_list_parse (json, len, NULL, 0);
    CHECK (list != NULL);
    if (list) {
        CHECK (list->count == DOCKER_LIST_MAX);
        CHECK (list->truncated);
        CHECK_STR (list->items [DOCKER_LIST_MAX - 1].name, "c4095");
    }
    docker_list_destroy (&list);
    free (json);
}

//  --------------------------------------------------------------------------
//  Inspect

DDC_TEST (test_inspect_real)
{
    docker_inspect_t in;
    CHECK_EQ (s_inspect (INSPECT_HEALTH_JSON, &in), 0);
    CHECK_STR (in.name, "ddccap-health");
    CHECK_STR (in.status, "running");
    CHECK (in.running && !in.paused && !in.restarting);
    CHECK_STR (in.health, "healthy");
    CHECK_EQ (in.started_at, 1795769617);
    CHECK_EQ (in.finished_at, 0);
    CHECK_EQ (in.restart_count, 0);
    CHECK_STR (in.image, "ddc-busybox");
    CHECK_STR (in.image_id,
               "sha256:97b0715f69f75a076549ed66660b63784711053e028b30ad5edbf93f6ce3735c");
    CHECK (!in.tty);

    CHECK_EQ (s_inspect (INSPECT_CREATED_JSON, &in), 0);
    CHECK_STR (in.status, "created");
    CHECK (!in.running);
    CHECK_EQ (in.started_at, 0); //  never started
    CHECK_STR (in.health, "");

    CHECK_EQ (s_inspect (INSPECT_TTY_JSON, &in), 0);
    CHECK (in.tty);
    CHECK_STR (in.name, "ddccap-tty");

    CHECK_EQ (s_inspect (INSPECT_EXITED_JSON, &in), 0);
    CHECK_STR (in.status, "exited");
    CHECK_EQ (in.exit_code, 3);
    CHECK_EQ (in.started_at, 1795769617);
    CHECK_EQ (in.finished_at, 1795769617);
}

DDC_TEST (test_inspect_hostile)
{
    docker_inspect_t in;
    const char *bad [] = {
        "",
        "[]",
        "null",
        ERR_404,
        "{\"Id\":\"ab\"}",
        "{\"Id\":\"ab\",\"State\":\"running\"}",
        "{\"Id\":\"ab\",\"State\":{\"Status\":\"running\"}}",
        "{\"Id\":\"ab\",\"State\":{\"Status\":\"running\",\"Running\":1}}",
        "{\"Id\":\"ab\",\"State\":{\"Status\":5,\"Running\":true}}",
        "{\"Id\":\"AB\",\"State\":{\"Status\":\"running\",\"Running\":true}}",
        "{\"Id\":7,\"State\":{\"Status\":\"running\",\"Running\":true}}",
        "{\"State\":{\"Status\":\"running\",\"Running\":true}}",
    };
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad [0]); i++)
        CHECK_EQ (s_inspect (bad [i], &in), -1);
    CHECK (docker_inspect_parse (NULL, 5, &in) == -1);
    size_t len = strlen (INSPECT_HEALTH_JSON);
    for (size_t n = 0; n < len; n += 7)
        CHECK_EQ (docker_inspect_parse (INSPECT_HEALTH_JSON, n, &in), -1);

    //  Optional fields of the wrong type or out of range: treated as absent.
    CHECK (s_inspect ("{\"Id\":\"ab\",\"Name\":\"/bad name\",\"State\":{\"Status\":\"running\","
                      "\"Running\":true,\"Paused\":\"yes\",\"StartedAt\":\"yesterday\","
                      "\"FinishedAt\":5,\"ExitCode\":1e40,\"Health\":\"healthy\"},"
                      "\"RestartCount\":-3,\"Config\":[],\"Image\":{}}",
                      &in)
           == 0);
    CHECK_STR (in.name, "");
    CHECK (in.running && !in.paused);
    CHECK_EQ (in.started_at, 0);
    CHECK_EQ (in.finished_at, 0);
    CHECK_EQ (in.exit_code, 0);
    CHECK_EQ (in.restart_count, 0);
    CHECK_STR (in.health, "");
    CHECK_STR (in.image, "");
    CHECK_STR (in.image_id, "");
    CHECK (!in.tty);
    CHECK (s_inspect ("{\"Id\":\"ab\",\"State\":{\"Status\":\"restarting\",\"Running\":true,"
                      "\"Restarting\":true,\"Health\":{\"Status\":\"unhealthy\"}},"
                      "\"RestartCount\":12,\"Config\":{\"Tty\":\"true\"}}",
                      &in)
           == 0);
    CHECK (in.restarting && in.restart_count == 12);
    CHECK_STR (in.health, "unhealthy");
    CHECK (!in.tty);
    CHECK (!in.oom_killed && !in.health_output [0]);
    //  the last health check's output, control characters as spaces; a
    //  memory kill
    CHECK (s_inspect ("{\"Id\":\"ab\",\"State\":{\"Status\":\"exited\",\"Running\":false,"
                      "\"OOMKilled\":true,\"Health\":{\"Status\":\"unhealthy\",\"Log\":["
                      "{\"ExitCode\":1,\"Output\":\"old\"},"
                      "{\"ExitCode\":1,\"Output\":\"wget: can't connect\\nto\\u0007x\"}]}}}",
                      &in)
           == 0);
    CHECK (in.oom_killed);
    CHECK_STR (in.health_output, "wget: can't connect to x");
    char big [2000];
    int o = sprintf (big, "{\"Id\":\"ab\",\"State\":{\"Status\":\"running\",\"Running\":true,"
                          "\"Health\":{\"Log\":[{\"Output\":\"");
    memset (big + o, 'x', 1000);
    sprintf (big + o + 1000, "\"}]}}}");
    CHECK_EQ (s_inspect (big, &in), 0);
    CHECK_EQ (strlen (in.health_output), DOCKER_HEALTH_OUTPUT_MAX - 1);
    CHECK (s_inspect ("{\"Id\":\"ab\",\"State\":{\"Status\":\"running\",\"Running\":true,"
                      "\"Health\":{\"Log\":{\"Output\":\"x\"}}}}",
                      &in)
           == 0);
    CHECK_STR (in.health_output, "");
}

//  --------------------------------------------------------------------------
//  Stats

DDC_TEST (test_stats_real)
{
    docker_stats_t st;
    CHECK_EQ (s_stats (STATS_RUN_JSON, &st), 0);
    CHECK (st.running);
    CHECK_EQ (st.read, 1795769621);
    CHECK_EQ (st.cpu.total_usage, 20802036);
    CHECK_EQ (st.precpu.total_usage, 20802036);
    CHECK_EQ (st.cpu.system_usage, 1787400000000ull);
    CHECK_EQ (st.cpu.online_cpus, 2);
    CHECK_EQ (st.cpu_percent, 0.0); //  idle: no CPU used between samples
    CHECK_EQ (st.mem_usage, 327680);
    CHECK_EQ (st.mem_cache, 0); //  total_inactive_file 0 (cgroup v1)
    CHECK_EQ (st.mem_used, 327680);
    CHECK_EQ (st.mem_limit, 25276510208ull);
    CHECK (s_near (st.mem_percent, 327680.0 / 25276510208.0 * 100.0));
    CHECK_EQ (st.pids, 1);

    //  one-shot: precpu is empty, so no CPU % from this sample alone.
    CHECK_EQ (s_stats (STATS_ONESHOT_JSON, &st), 0);
    CHECK_EQ (st.precpu.system_usage, 0);
    CHECK_EQ (st.cpu.system_usage, 1789410000000ull);
    CHECK_EQ (st.cpu_percent, 0.0);
    CHECK_EQ (st.mem_used, 327680);

    CHECK_EQ (s_stats (STATS_EXITED_JSON, &st), 0);
    CHECK (!st.running);
    CHECK_EQ (st.read, 0);
    CHECK_EQ (st.mem_usage, 0);
    CHECK_EQ (st.mem_limit, 0);
    CHECK_EQ (st.mem_percent, 0.0);
    CHECK_EQ (st.cpu.online_cpus, 0);
    CHECK_EQ (st.cpu_percent, 0.0);
    CHECK_EQ (st.pids, 0);
}

DDC_TEST (test_stats_memory_like_cli)
{
    docker_stats_t st;
    //  cgroup v2: inactive_file.
    CHECK (s_stats ("{\"cpu_stats\":{},\"memory_stats\":{\"usage\":10000000,\"limit\":20000000,"
                    "\"stats\":{\"inactive_file\":4000000,\"file\":5000000}}}",
                    &st)
           == 0);
    CHECK_EQ (st.mem_cache, 4000000);
    CHECK_EQ (st.mem_used, 6000000);
    CHECK (s_near (st.mem_percent, 30.0));
    //  cgroup v1 takes total_inactive_file over inactive_file.
    CHECK (s_stats ("{\"cpu_stats\":{},\"memory_stats\":{\"usage\":10000000,\"stats\":"
                    "{\"inactive_file\":4000000,\"total_inactive_file\":1000000,\"cache\":9}}}",
                    &st)
           == 0);
    CHECK_EQ (st.mem_used, 9000000);
    CHECK_EQ (st.mem_percent, 0.0); //  no limit
    //  Old daemons: cache only.
    CHECK (s_stats ("{\"cpu_stats\":{},\"memory_stats\":{\"usage\":10000000,\"stats\":"
                    "{\"cache\":3000000}}}",
                    &st)
           == 0);
    CHECK_EQ (st.mem_used, 7000000);
    //  Never subtracted when not below usage.
    CHECK (s_stats ("{\"cpu_stats\":{},\"memory_stats\":{\"usage\":100,\"stats\":"
                    "{\"total_inactive_file\":100}}}",
                    &st)
           == 0);
    CHECK_EQ (st.mem_used, 100);
    CHECK_EQ (st.mem_cache, 0);
}

DDC_TEST (test_cpu_percent_like_cli)
{
    docker_cpu_sample_t prev = { 1000000000ull, 100000000000ull, 4 };
    docker_cpu_sample_t cur = { 3000000000ull, 104000000000ull, 4 };
    //  2 s of CPU in 4 s of 4-CPU system time: (2/4) * 4 * 100 = 200 %.
    CHECK (s_near (docker_cpu_percent (&prev, &cur), 200.0));
    docker_cpu_sample_t spike = { 30000000000ull, 104000000000ull, 4 };
    CHECK (s_near (docker_cpu_percent (&prev, &spike), 400.0)); //  clamped
    docker_cpu_sample_t reset = { 10, 105000000000ull, 4 };
    CHECK_EQ (docker_cpu_percent (&prev, &reset), 0.0); //  counter went back
    docker_cpu_sample_t same_sys = { 3000000000ull, 100000000000ull, 4 };
    CHECK_EQ (docker_cpu_percent (&prev, &same_sys), 0.0);
    docker_cpu_sample_t no_cpus = { 3000000000ull, 104000000000ull, 0 };
    CHECK_EQ (docker_cpu_percent (&prev, &no_cpus), 0.0);
    docker_cpu_sample_t empty = { 0, 0, 0 };
    CHECK_EQ (docker_cpu_percent (&empty, &cur), 0.0);
    CHECK (docker_cpu_percent (NULL, &cur) == 0.0);
    CHECK (docker_cpu_percent (&prev, NULL) == 0.0);

    //  From one stream=false sample; online_cpus missing: percpu_usage.
    docker_stats_t st;
    CHECK (s_stats ("{\"read\":\"2026-11-27T08:53:41Z\",\"cpu_stats\":{\"cpu_usage\":"
                    "{\"total_usage\":1500000000,\"percpu_usage\":[1,2,3]},"
                    "\"system_cpu_usage\":106000000000},"
                    "\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":1000000000},"
                    "\"system_cpu_usage\":100000000000,\"online_cpus\":3}}",
                    &st)
           == 0);
    CHECK_EQ (st.cpu.online_cpus, 3);
    CHECK (s_near (st.cpu_percent, 0.5 / 6.0 * 3 * 100));
}

DDC_TEST (test_stats_cpu_one_shot)
{
    double pct = -1.0;
    docker_stats_t st;
    //  A sample with Docker's own precpu: its CPU %, whatever came before.
    CHECK (s_stats ("{\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":1500000000},"
                    "\"system_cpu_usage\":106000000000,\"online_cpus\":3},"
                    "\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":1000000000},"
                    "\"system_cpu_usage\":100000000000,\"online_cpus\":3}}",
                    &st)
           == 0);
    docker_cpu_sample_t older = { 1, 1, 3 };
    CHECK (docker_stats_cpu (&st, &older, &pct));
    CHECK (s_near (pct, 0.5 / 6.0 * 3 * 100));
    CHECK (docker_stats_cpu (&st, NULL, &pct));
    CHECK (s_near (pct, 0.5 / 6.0 * 3 * 100));

    //  A one-shot sample alone: no CPU % yet, a second sample is needed.
    CHECK_EQ (s_stats (STATS_ONESHOT_JSON, &st), 0);
    docker_cpu_sample_t none = { 0, 0, 0 };
    CHECK (!docker_stats_cpu (&st, NULL, &pct));
    CHECK_EQ (pct, 0.0);
    CHECK (!docker_stats_cpu (&st, &none, &pct));
    //  Against the previous sample: 0.01 s of CPU in 0.2 s of 2-CPU system
    //  time, (0.01 / 0.2) * 2 * 100 = 10 %.
    docker_cpu_sample_t prev = { st.cpu.total_usage - 10000000ull,
                                 st.cpu.system_usage - 200000000ull, 2 };
    CHECK (docker_stats_cpu (&st, &prev, &pct));
    CHECK (s_near (pct, 10.0));
    //  The previous sample after a restart (counters went back): 0, known.
    docker_cpu_sample_t later = { st.cpu.total_usage + 1, st.cpu.system_usage - 1, 2 };
    CHECK (docker_stats_cpu (&st, &later, &pct));
    CHECK_EQ (pct, 0.0);

    //  A daemon that sends no system time at all: nothing to wait for.
    CHECK (s_stats ("{\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":5}}}", &st) == 0);
    CHECK (docker_stats_cpu (&st, NULL, &pct));
    CHECK_EQ (pct, 0.0);
}

DDC_TEST (test_stats_hostile)
{
    docker_stats_t st;
    const char *bad [] = {
        "",     "[]", "null", "{}", "{\"cpu_stats\":[]}", "{\"cpu_stats\":1}", "{\"cpu_stats\":{}",
        ERR_404
    };
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad [0]); i++)
        CHECK_EQ (s_stats (bad [i], &st), -1);
    size_t len = strlen (STATS_RUN_JSON);
    for (size_t n = 0; n < len; n += 5)
        CHECK_EQ (docker_stats_parse (STATS_RUN_JSON, n, &st), -1);
    //  Numbers out of range or of the wrong type count as absent.
    CHECK (s_stats ("{\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":-1,\"percpu_usage\":{}},"
                    "\"system_cpu_usage\":1e30,\"online_cpus\":1e12},"
                    "\"precpu_stats\":\"x\",\"read\":7,"
                    "\"memory_stats\":{\"usage\":18446744073709551616,\"limit\":\"1\","
                    "\"stats\":{\"total_inactive_file\":-4}},"
                    "\"pids_stats\":{\"current\":1.5e300}}",
                    &st)
           == 0);
    CHECK_EQ (st.cpu.total_usage, 0);
    CHECK_EQ (st.cpu.system_usage, 0);
    CHECK_EQ (st.cpu.online_cpus, 0);
    CHECK_EQ (st.mem_usage, 0);
    CHECK_EQ (st.mem_limit, 0);
    CHECK_EQ (st.mem_used, 0);
    CHECK (!st.running && st.pids == 0 && st.cpu_percent == 0.0);
    //  The biggest exact value below 2^64 is accepted.
    CHECK_EQ (s_stats ("{\"cpu_stats\":{},\"memory_stats\":{\"usage\":18446744073709549568}}", &st),
              0);
    CHECK_EQ (st.mem_usage, 18446744073709549568ull);
}

//  --------------------------------------------------------------------------
//  Events

DDC_TEST (test_events_real)
{
    docker_event_t ev;
    CHECK_EQ (s_event (EV_CREATE, &ev), 0);
    CHECK_STR (ev.type, "container");
    CHECK_STR (ev.action, "create");
    CHECK_STR (ev.detail, "");
    CHECK_STR (ev.id, "fe49548d010b84b9b998165b6a7bde9cfcc0516e249ba0c1344c79bcad5b6be5");
    CHECK_STR (ev.name, "ddccap-run");
    CHECK_STR (ev.image, "ddc-busybox");
    CHECK_EQ (ev.exit_code, -1);
    CHECK_EQ (ev.time, 1795769616);
    CHECK_EQ (ev.time_nano / 1000000, 1795769616733);

    CHECK_EQ (s_event (EV_START, &ev), 0);
    CHECK_STR (ev.action, "start");

    CHECK_EQ (s_event (EV_HEALTH, &ev), 0);
    CHECK_STR (ev.action, "health_status");
    CHECK_STR (ev.detail, "healthy");
    CHECK_STR (ev.name, "ddccap-health");

    CHECK_EQ (s_event (EV_EXEC, &ev), 0);
    CHECK_STR (ev.action, "exec_start");
    CHECK_STR (ev.detail, "/bin/sh -c true");

    CHECK_EQ (s_event (EV_DIE, &ev), 0);
    CHECK_STR (ev.action, "die");
    CHECK_STR (ev.name, "ddccap-exited");
    CHECK_EQ (ev.exit_code, 3);
    CHECK_EQ (ev.signal, -1);
    CHECK (s_event ("{\"Type\":\"container\",\"Action\":\"kill\",\"Actor\":{\"ID\":\"ab\","
                    "\"Attributes\":{\"name\":\"x\",\"signal\":\"15\"}},\"time\":1}",
                    &ev)
           == 0);
    CHECK_EQ (ev.signal, 15);
    CHECK (s_event ("{\"Type\":\"container\",\"Action\":\"kill\",\"Actor\":{\"ID\":\"ab\","
                    "\"Attributes\":{\"signal\":\"999\"}},\"time\":1}",
                    &ev)
           == 0);
    CHECK_EQ (ev.signal, -1);

    CHECK_EQ (s_event (EV_NETWORK, &ev), 0);
    CHECK_STR (ev.type, "network");
    CHECK_STR (ev.action, "connect");
    CHECK_STR (ev.name, "none");
}

DDC_TEST (test_events_hostile)
{
    docker_event_t ev;
    const char *bad [] = {
        "",
        "{}",
        "[]",
        "\"start\"",
        "{\"Type\":\"container\"}",
        "{\"Action\":\"start\"}",
        "{\"Type\":1,\"Action\":\"start\"}",
        "{\"Type\":\"container\",\"Action\":[]}",
        "{\"Type\":\"\",\"Action\":\"start\"}",
        "{\"Type\":\"container\",\"Action\":\"\"}",
        "{\"Type\":\"container\",\"Action\":\": healthy\"}",
        "{\"Type\":\"container\",\"Action\":\"start\"",
        "{\"status\":5}",
    };
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad [0]); i++)
        CHECK_EQ (s_event (bad [i], &ev), -1);
    size_t len = strlen (EV_DIE);
    for (size_t n = 0; n + 1 < len; n += 3)
        CHECK_EQ (docker_event_parse (EV_DIE, n, &ev), -1);

    //  Pre-1.22 form.
    CHECK_EQ (s_event ("{\"status\":\"stop\",\"id\":\"abc\",\"from\":\"img\",\"time\":5}", &ev), 0);
    CHECK_STR (ev.type, "container");
    CHECK_STR (ev.action, "stop");
    CHECK_STR (ev.id, "abc");
    CHECK_EQ (ev.time, 5);
    CHECK_EQ (ev.time_nano, 5000000000);
    //  Odd types tolerated, long fields cut, bad numbers ignored.
    char action [200];
    memset (action, 'x', sizeof (action));
    action [199] = '\0';
    char *json =
        ddc_asprintf ("{\"Type\":\"container\",\"Action\":\"%s: %s\",\"Actor\":"
                      "{\"ID\":7,\"Attributes\":{\"name\":\"bad name\",\"exitCode\":\"-1\"}},"
                      "\"time\":-1,\"timeNano\":1e30}",
                      action, action);
    CHECK_EQ (s_event (json, &ev), 0);
    CHECK_EQ (strlen (ev.action), sizeof (ev.action) - 1);
    CHECK_EQ (strlen (ev.detail), sizeof (ev.detail) - 1);
    CHECK_STR (ev.id, "");
    CHECK_STR (ev.name, "");
    CHECK_EQ (ev.exit_code, -1);
    CHECK_EQ (ev.time, 0);
    CHECK_EQ (ev.time_nano, 0);
    free (json);
    CHECK (s_event ("{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"Attributes\":"
                    "{\"exitCode\":\"99999999999999999999\"}},\"timeNano\":2500000000}",
                    &ev)
           == 0);
    CHECK_EQ (ev.exit_code, -1);
    CHECK_EQ (ev.time, 2);
    //  Deep nesting is refused by cJSON's nesting limit, not the stack.
    size_t depth = 100000;
    char *deep = ddc_malloc (depth + 1);
    memset (deep, '[', depth);
    deep [depth] = '\0';
    CHECK_EQ (docker_event_parse (deep, depth, &ev), -1);
    CHECK (docker_list_parse (deep, depth, NULL, 0) == NULL);
    free (deep);
}

//  --------------------------------------------------------------------------
//  Errors, version

DDC_TEST (test_error_body)
{
    char msg [64];
    CHECK_EQ (docker_error_parse (ERR_404, strlen (ERR_404), msg, sizeof (msg)), 0);
    CHECK_STR (msg, "No such container: nosuch");
    const char *plain = "page not found\r\n";
    CHECK_EQ (docker_error_parse (plain, strlen (plain), msg, sizeof (msg)), -1);
    CHECK_STR (msg, "page not found");
    const char *ctl = "{\"message\":\"a\\nb\\u0001c\"}";
    CHECK_EQ (docker_error_parse (ctl, strlen (ctl), msg, sizeof (msg)), 0);
    CHECK_STR (msg, "a b c");
    const char *bin = "\xff\xfe\x01ok";
    CHECK_EQ (docker_error_parse (bin, strlen (bin), msg, sizeof (msg)), -1);
    CHECK_STR (msg, "?? ok");
    const char *nomsg = "{\"error\":\"x\"}";
    CHECK_EQ (docker_error_parse (nomsg, strlen (nomsg), msg, sizeof (msg)), -1);
    CHECK_STR (msg, "{\"error\":\"x\"}");
    const char *num = "{\"message\":5}";
    CHECK_EQ (docker_error_parse (num, strlen (num), msg, sizeof (msg)), -1);
    //  Long messages are cut to the buffer, at a character boundary.
    char big [300];
    memset (big, 'm', sizeof (big));
    big [299] = '\0';
    char *json = ddc_asprintf ("{\"message\":\"%s\"}", big);
    CHECK_EQ (docker_error_parse (json, strlen (json), msg, sizeof (msg)), 0);
    CHECK_EQ (strlen (msg), sizeof (msg) - 1);
    free (json);
    const char *accents = "{\"message\":\"\xc3\xa9\xc3\xa9\"}";
    CHECK_EQ (docker_error_parse (accents, strlen (accents), msg, 4), 0);
    CHECK_STR (msg, "\xc3\xa9");
    char one [1];
    CHECK (docker_error_parse (ERR_404, strlen (ERR_404), one, 1) == 0 && one [0] == '\0');
    CHECK (docker_error_parse (NULL, 0, msg, sizeof (msg)) == -1 && msg [0] == '\0');
    CHECK (docker_error_parse ("", 0, msg, sizeof (msg)) == -1 && msg [0] == '\0');
    CHECK_EQ (docker_error_parse (ERR_404, 5, msg, 0), -1);
}

DDC_TEST (test_version)
{
    docker_version_t v;
    CHECK_EQ (docker_version_parse (VERSION_JSON, strlen (VERSION_JSON), &v), 0);
    CHECK_STR (v.api_version, "1.41");
    CHECK_STR (v.min_api_version, "1.12");
    CHECK_STR (v.version, "20.10.24+dfsg1");
    CHECK_STR (v.os, "linux");
    CHECK_STR (v.arch, "amd64");
    const char *bad [] = { "",
                           "{}",
                           "[]",
                           "{\"ApiVersion\":1.41}",
                           "{\"ApiVersion\":\"latest\"}",
                           "{\"ApiVersion\":\"1.41\"",
                           "{\"ApiVersion\":\"1.41.1234567890123\"}" };
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad [0]); i++)
        CHECK_EQ (docker_version_parse (bad [i], strlen (bad [i]), &v), -1);
    const char *newer = "{\"ApiVersion\":\"1.44\",\"MinAPIVersion\":\"x\"}";
    CHECK_EQ (docker_version_parse (newer, strlen (newer), &v), 0);
    CHECK_STR (v.api_version, "1.44");
    CHECK_STR (v.min_api_version, "");
    CHECK_STR (v.version, "");
}

//  --------------------------------------------------------------------------
//  Logs

DDC_TEST (test_logs_real)
{
    size_t lines = 0;
    char *text = s_logs (LOGS_MUX, sizeof (LOGS_MUX), DOCKER_LOGS_MUX, 0, 0, &lines);
    CHECK_STR (text, "line2\nline3\nline4\nline5\n");
    CHECK_EQ (lines, 4);
    free (text);
    text = s_logs (LOGS_MUX, sizeof (LOGS_MUX), DOCKER_LOGS_DETECT, 2, 0, &lines);
    CHECK_STR (text, "line4\nline5\n");
    CHECK_EQ (lines, 2);
    free (text);
    text = s_logs (LOGS_TTY, strlen (LOGS_TTY), DOCKER_LOGS_RAW, 10, 0, &lines);
    CHECK_STR (text, "ttyline1\nttyline2\n");
    CHECK_EQ (lines, 2);
    free (text);
    text = s_logs (LOGS_TTY, strlen (LOGS_TTY), DOCKER_LOGS_DETECT, 1, 0, &lines);
    CHECK_STR (text, "ttyline2\n");
    CHECK_EQ (lines, 1);
    free (text);
    //  A TTY body read as MUX is a bad header.
    CHECK (s_logs (LOGS_TTY, strlen (LOGS_TTY), DOCKER_LOGS_MUX, 0, 0, &lines) == NULL);
}

DDC_TEST (test_logs_frames)
{
    size_t lines = 0;
    //  stderr and stdout interleaved; a long line split over two frames
    //  (Docker splits at 16 KiB); an empty frame; no final newline.
    const unsigned char mux [] = {
        2, 0, 0,   0,   0,   0,    0, 4, 'e', 'r', 'r', '\n', 1, 0, 0,   0,   0,   0,
        0, 3, 'h', 'e', 'l', 1,    0, 0, 0,   0,   0,   0,    0, 1, 0,   0,   0,   0,
        0, 0, 3,   'l', 'o', '\n', 0, 0, 0,   0,   0,   0,    0, 4, 'l', 'a', 's', 't',
    };
    char *text = s_logs (mux, sizeof (mux), DOCKER_LOGS_MUX, 0, 0, &lines);
    CHECK_STR (text, "err\nhello\nlast");
    CHECK_EQ (lines, 3);
    free (text);
    text = s_logs (mux, sizeof (mux), DOCKER_LOGS_MUX, 2, 0, &lines);
    CHECK_STR (text, "hello\nlast");
    free (text);

    //  A frame claiming more bytes than the body holds: take what is there.
    const unsigned char big [] = { 1, 0, 0, 0, 0, 0x0F, 0x42, 0x40, 'o', 'n', 'l', 'y', '\n' };
    text = s_logs (big, sizeof (big), DOCKER_LOGS_MUX, 0, 0, &lines);
    CHECK_STR (text, "only\n");
    free (text);
    const unsigned char huge [] = { 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 'x' };
    text = s_logs (huge, sizeof (huge), DOCKER_LOGS_DETECT, 0, 0, &lines);
    CHECK_STR (text, "x");
    free (text);
    //  A partial header at the end is dropped.
    const unsigned char partial [] = { 1, 0, 0, 0, 0, 0, 0, 2, 'a', '\n', 1, 0, 0 };
    text = s_logs (partial, sizeof (partial), DOCKER_LOGS_MUX, 0, 0, &lines);
    CHECK_STR (text, "a\n");
    free (text);
    //  Bad headers: unknown stream, padding not zero.
    const unsigned char bad_stream [] = { 1, 0, 0, 0, 0, 0, 0, 2, 'a', '\n',
                                          7, 0, 0, 0, 0, 0, 0, 1, 'b' };
    CHECK (s_logs (bad_stream, sizeof (bad_stream), DOCKER_LOGS_MUX, 0, 0, &lines) == NULL);
    const unsigned char bad_pad [] = { 1, 0, 1, 0, 0, 0, 0, 1, 'a' };
    CHECK (s_logs (bad_pad, sizeof (bad_pad), DOCKER_LOGS_MUX, 0, 0, &lines) == NULL);
    //  DETECT falls back to raw text when the start is no header.
    text = s_logs (bad_pad, sizeof (bad_pad), DOCKER_LOGS_DETECT, 0, 0, &lines);
    CHECK_STR (text, "a");
    free (text);
    //  Empty bodies.
    text = s_logs ("", 0, DOCKER_LOGS_DETECT, 5, 5, &lines);
    CHECK_STR (text, "");
    CHECK_EQ (lines, 0);
    free (text);
    text = s_logs (NULL, 0, DOCKER_LOGS_MUX, 5, 5, &lines);
    CHECK_STR (text, "");
    free (text);
    CHECK (s_logs (NULL, 3, DOCKER_LOGS_RAW, 5, 5, &lines) == NULL);
    char *out = (char *) "x";
    CHECK (docker_logs_text ("a", 1, DOCKER_LOGS_RAW, 0, 0, &out, NULL) == -1);
}

DDC_TEST (test_logs_cleaning)
{
    size_t lines = 0;
    static const char raw [] = "\x1b[32mgreen\x1b[0m \x1b]0;title\x07ok\r\n"
                               "nul\x00"
                               "byte\x01\x7f"
                               "\tTab\n"
                               "bad \xff\xfe \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 end\n"
                               "good \xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80\n"
                               "10%\r20%\r30%\n"
                               "cut \xe2\x82";
    size_t len = sizeof (raw) - 1; //  the literal holds a NUL
    char *text = s_logs (raw, len, DOCKER_LOGS_RAW, 0, 0, &lines);
    CHECK_STR (text, "green ok\n"
                     "nulbyte\tTab\n"
                     "bad ?? ?? ??? ???? end\n"
                     "good \xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80\n"
                     "10%\n20%\n30%\n"
                     "cut ??");
    CHECK_EQ (lines, 8);
    free (text);
}

DDC_TEST (test_logs_bounds)
{
    size_t lines = 0;
    const char *raw = "one\ntwo\nthree\nfour\n";
    char *text = s_logs (raw, strlen (raw), DOCKER_LOGS_RAW, 0, 11, &lines);
    CHECK_STR (text, "three\nfour\n"); //  cut at a line start
    CHECK_EQ (lines, 2);
    free (text);
    text = s_logs (raw, strlen (raw), DOCKER_LOGS_RAW, 0, 9, &lines);
    CHECK_STR (text, "four\n");
    free (text);
    text = s_logs (raw, strlen (raw), DOCKER_LOGS_RAW, 3, 100, &lines);
    CHECK_STR (text, "two\nthree\nfour\n");
    CHECK_EQ (lines, 3);
    free (text);
    text = s_logs (raw, strlen (raw), DOCKER_LOGS_RAW, 100, 0, &lines);
    CHECK_STR (text, raw);
    free (text);
    //  "\n\n": two empty lines are lines.
    text = s_logs ("a\n\n\n", 4, DOCKER_LOGS_RAW, 2, 0, &lines);
    CHECK_STR (text, "\n\n");
    CHECK_EQ (lines, 2);
    free (text);
    //  One huge line: the last max_bytes, never splitting a character.
    size_t n = 3000;
    char *huge = ddc_malloc (n * 3 + 1);
    for (size_t i = 0; i < n; i++)
        memcpy (huge + 3 * i, "\xe2\x82\xac", 3);
    huge [n * 3] = '\0';
    text = s_logs (huge, n * 3, DOCKER_LOGS_RAW, 1, 100, &lines);
    CHECK (text && strlen (text) == 99 && (unsigned char) text [0] == 0xE2);
    CHECK_EQ (lines, 1);
    free (text);
    free (huge);
    //  1 MiB of short lines: last 50 lines only.
    size_t size = 1024 * 1024;
    char *many = ddc_malloc (size);
    for (size_t i = 0; i < size; i++)
        many [i] = (i % 16 == 15) ? '\n' : 'a' + (char) (i % 16);
    text = s_logs (many, size, DOCKER_LOGS_RAW, 50, 1024 * 1024, &lines);
    CHECK (text && strlen (text) == 50 * 16 && lines == 50);
    free (text);
    free (many);
}

//  A mux body of n lines of width bytes each ("NNNNN xxx...\n"), one frame
//  per line, as Docker sends a non-TTY container's output.
static unsigned char *
s_mux_lines (size_t n, size_t width, size_t *len_p)
{
    size_t frame = 8 + width;
    unsigned char *body = ddc_malloc (n * frame);
    for (size_t i = 0; i < n; i++) {
        unsigned char *f = body + i * frame;
        f [0] = 1;
        f [1] = f [2] = f [3] = 0;
        f [4] = (unsigned char) (width >> 24);
        f [5] = (unsigned char) (width >> 16);
        f [6] = (unsigned char) (width >> 8);
        f [7] = (unsigned char) width;
        memset (f + 8, 'x', width - 1);
        char num [24];
        snprintf (num, sizeof (num), "%05zu ", i % 100000);
        memcpy (f + 8, num, 6);
        f [8 + width - 1] = '\n';
    }
    *len_p = n * frame;
    return body;
}

DDC_TEST (test_logs_pieces)
{
    //  Fed in pieces of every size, the text is the one-shot text.
    const unsigned char mux [] = {
        2,    0,    0, 0, 0, 0,    0,    4,   'e', 'r', 'r',  '\r', 1,    0,    0,
        0,    0,    0, 0, 6, '\n', 0x1B, '[', '3', '1', 'm',  1,    0,    0,    0,
        0,    0,    0, 0, 1, 0,    0,    0,   0,   0,   0,    5,    0xC3, 0xA4, 'h',
        0xE2, 0x82, 0, 0, 0, 0,    0,    0,   0,   3,   0xAC, '!',  '\n',
    };
    for (int mode = DOCKER_LOGS_DETECT; mode <= DOCKER_LOGS_MUX; mode++) {
        size_t whole_lines = 0;
        char *whole = s_logs (mux, sizeof (mux), mode, 0, 0, &whole_lines);
        if (mode != DOCKER_LOGS_RAW) {
            //  A character split over two frames stays whole; "\r" + "\n"
            //  in two frames is one line end.
            CHECK_STR (whole, "err\n\xc3\xa4h\xe2\x82\xac!\n");
            CHECK_EQ (whole_lines, 2);
        }
        for (size_t piece = 1; piece <= sizeof (mux); piece++) {
            docker_logs_t *logs = docker_logs_new (mode, 0, 0);
            for (size_t off = 0; off < sizeof (mux); off += piece)
                docker_logs_feed (logs, mux + off,
                                  sizeof (mux) - off < piece ? sizeof (mux) - off : piece);
            char *text = NULL;
            size_t lines = 0;
            bool cut = true;
            CHECK (docker_logs_finish (logs, &text, &lines, &cut) == 0 && !cut);
            docker_logs_destroy (&logs);
            CHECK_STR (text, whole);
            CHECK_EQ (lines, whole_lines);
            free (text);
        }
        free (whole);
    }
    //  A bad header in a later piece fails the whole reply.
    docker_logs_t *logs = docker_logs_new (DOCKER_LOGS_MUX, 0, 0);
    CHECK_EQ (docker_logs_feed (logs, mux, 12), 0);
    CHECK_EQ (docker_logs_feed (logs, "\x07\0\0\0\0\0\0\1a", 9), -1);
    CHECK_EQ (docker_logs_feed (logs, mux, 12), -1);
    char *text = (char *) "x";
    size_t lines = 9;
    CHECK (docker_logs_finish (logs, &text, &lines, NULL) == -1 && !text && lines == 0);
    docker_logs_destroy (&logs);
}

DDC_TEST (test_logs_newest_that_fit)
{
    //  1000 lines of 3 KB (about 3 MB with the frame headers), in 16 KiB
    //  pieces: the newest lines that fit 256 KiB, whole, and "cut".
    size_t len;
    unsigned char *body = s_mux_lines (1000, 3000, &len);
    size_t max_bytes = 256 * 1024;
    docker_logs_t *logs = docker_logs_new (DOCKER_LOGS_DETECT, 1000, max_bytes);
    for (size_t off = 0; off < len; off += 16384)
        CHECK_EQ (docker_logs_feed (logs, body + off, len - off < 16384 ? len - off : 16384), 0);
    char *text = NULL;
    size_t lines = 0;
    bool cut = false;
    CHECK_EQ (docker_logs_finish (logs, &text, &lines, &cut), 0);
    docker_logs_destroy (&logs);
    CHECK (cut && lines == max_bytes / 3000); //  87 lines of 3000 bytes
    CHECK (text && strlen (text) == lines * 3000);
    CHECK (text && strncmp (text, "00913 ", 6) == 0);
    CHECK (text && strncmp (text + strlen (text) - 3000, "00999 ", 6) == 0);
    free (text);
    free (body);
    //  What fits is not cut.
    body = s_mux_lines (50, 3000, &len);
    logs = docker_logs_new (DOCKER_LOGS_MUX, 1000, max_bytes);
    CHECK_EQ (docker_logs_feed (logs, body, len), 0);
    CHECK_EQ (docker_logs_finish (logs, &text, &lines, &cut), 0);
    CHECK (!cut && lines == 50 && strlen (text) == 150000);
    free (text);
    docker_logs_destroy (&logs);
    free (body);
}

int
main (int argc, char **argv)
{
    DDC_TEST_INIT (argc, argv);
    DDC_RUN (test_name_valid);
    DDC_RUN (test_parse_time);
    DDC_RUN (test_api_version);
    DDC_RUN (test_list_real);
    DDC_RUN (test_list_empty_and_malformed);
    DDC_RUN (test_list_hostile_entries);
    DDC_RUN (test_list_long_strings_truncated);
    DDC_RUN (test_list_capped);
    DDC_RUN (test_inspect_real);
    DDC_RUN (test_inspect_hostile);
    DDC_RUN (test_stats_real);
    DDC_RUN (test_stats_memory_like_cli);
    DDC_RUN (test_cpu_percent_like_cli);
    DDC_RUN (test_stats_cpu_one_shot);
    DDC_RUN (test_stats_hostile);
    DDC_RUN (test_events_real);
    DDC_RUN (test_events_hostile);
    DDC_RUN (test_error_body);
    DDC_RUN (test_version);
    DDC_RUN (test_logs_real);
    DDC_RUN (test_logs_frames);
    DDC_RUN (test_logs_cleaning);
    DDC_RUN (test_logs_bounds);
    DDC_RUN (test_logs_pieces);
    DDC_RUN (test_logs_newest_that_fit);
    DDC_DONE ();
}
