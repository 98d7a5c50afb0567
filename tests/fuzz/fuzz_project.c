/*
 * The project file (techweek.json): the input is the file. It is read
 * twice into one configuration, as a project file's gates add up with
 * rules given before it.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "readiness/project.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tw_readiness_config c;
	tw_readiness_config_init(&c);
	tw_error err = {0};
	for (int i = 0; i < 2; i++) {
		if (tw_project_parse(&c, "techweek.json", (const char *)data, size, &err) != TW_OK)
			free(tw_error_format(&err));
		tw_error_clear(&err);
	}
	tw_readiness_config_free(&c);
	return 0;
}
