/*  app: the ddc-discord process struct's helpers. See app.h. */
#include "app.h"

#include "ddc_util.h"

#include <string.h>

void
app_render_ctx (app_t *app, render_ctx_t *r)
{
    memset (r, 0, sizeof (*r));
    r->live = app->live;
    r->lang = app->lang;
    r->tz = app->tz;
    r->wall_ms = ddc_wall_ms ();
    r->mono_ms = ddc_mono_ms ();
}
