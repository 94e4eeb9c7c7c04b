/*
 * fuzz_sync.c
 *	  libFuzzer target: arbitrary bytes as the responses the sync reads
 *	  (download_config_specs, the get_id_lists manifest, an ID-list
 *	  byte-range response).  The first byte picks the parser and the
 *	  range parameters; the rest is the body.
 */
#include "ea_http.h"
#include "ea_sync.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ea_error	err;
	char	   *body;
	size_t		len;
	uint8_t		sel;

	if (size < 1)
		return 0;
	sel = data[0];
	len = size - 1;
	body = malloc(len + 1);
	if (body == NULL)
		return 0;
	memcpy(body, data + 1, len);
	body[len] = '\0';

	switch (sel % 3)
	{
		case 0:
			{
				ea_dcs_info info;

				if (ea_sync_dcs_inspect(body, len, &info, &err) == EA_OK)
				{
					(void) ea_sync_dcs_decide(&info, (int64_t) sel * 1000, "x");
					if (strlen(info.checksum) > EA_SYNC_CHECKSUM_MAX)
						abort();
				}
				break;
			}
		case 1:
			{
				ea_idlist_manifest *m = NULL;
				ea_idlist_state st = {"f", 5, (int64_t) sel};
				ea_idlist_plan plan;
				size_t		i;

				if (ea_idlist_manifest_parse(body, len, &m, &err) == EA_OK)
				{
					for (i = 0; i < ea_idlist_manifest_count(m); i++)
					{
						const ea_idlist_entry *e = ea_idlist_manifest_entry(m, i);

						if (ea_idlist_manifest_find(m, e->name) != e)
							abort();
						ea_idlist_plan_for(e, (sel & 4) ? &st : NULL, &plan);
						if (plan.range_start < 0 || plan.range_start > e->size)
							abort();
					}
				}
				else if (m != NULL)
					abort();
				ea_idlist_manifest_free(m);
				break;
			}
		default:
			{
				ea_idlist_plan plan = {true, (sel & 8) != 0, (int64_t) (sel >> 4)};
				ea_idlist_chunk chunk;
				char		range[64];
				long		status = (sel & 16) ? 206 : 200;

				snprintf(range, sizeof(range), "bytes %d-%zu/%zu", sel >> 4, len, len + 1);
				if (ea_idlist_chunk_check(status, range, body, len, &plan,
										  (int64_t) len + (sel & 3), &chunk, &err) == EA_OK)
				{
					if (chunk.apply_len > len ||
						(chunk.apply_len > 0 && chunk.apply_len < len &&
						 body[chunk.apply_len - 1] != '\n'))
						abort();
				}
				ea_http_redact(body, "ab");
				break;
			}
	}
	free(body);
	return 0;
}
