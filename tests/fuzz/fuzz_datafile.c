/*
 * Data files (issue 13, DATA): the input is the file, read as CSV and as
 * JSON lines; a refused one is formatted as check and run print it (its
 * caret line included).
 */
#include <stdlib.h>

#include "core/datafile.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"users.csv", "users.jsonl"};
	for (int i = 0; i < 2; i++) {
		tw_datafile *d = NULL;
		tw_error err = {0};
		if (tw_datafile_parse(&d, names[i], (const char *)data, size, &err) != TW_OK) {
			free(tw_error_format(&err));
		} else {
			/* every cell is there: a row the reader made short would
			 * read past its end here (ASan) */
			size_t sum = 0;
			for (size_t r = 0; r < d->row_count; r++)
				for (size_t c = 0; c < d->column_count; c++)
					sum += strlen(tw_datafile_cell(d, r, c));
			(void)sum;
		}
		tw_error_clear(&err);
		tw_datafile_free(d);
	}
	return 0;
}
