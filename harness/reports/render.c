/*
 * Rendering a report, then writing it: the one way the public
 * tw_report_junit, tw_report_json and tw_report_html write a single
 * report. The CLI renders all three itself and writes them as one set.
 */
#include "reports/render.h"

#include "core/fsutil.h"

int tw_report_write(tw_report_render_fn render, const char *name, const tw_run *run,
		    const tw_run_score *score, const char *path, tw_error *err)
{
	if (!run || !path || !*path)
		return tw_error_set(err, TW_EUSAGE, "%s needs a run and a path", name);
	tw_buf out;
	int rc = render(run, score, &out, err);
	if (!rc)
		rc = tw_write_file_atomic(path, tw_buf_str(&out), out.len, err);
	tw_buf_free(&out);
	return rc;
}
