// SPDX-License-Identifier: MIT
/*
 * Guest-side program of the VM harness self-test, built static under two
 * names: "10_results" prints a KTAP report with one passing and one
 * deliberately failing test; "20_hang" never finishes, so the harness's
 * per-test timeout must stop it.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int module_listed(const char *name)
{
	char line[512];
	size_t len = strlen(name);
	int found = 0;
	FILE *f = fopen("/proc/modules", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ' ')
			found = 1;
	fclose(f);
	return found;
}

int main(int argc, char **argv)
{
	const char *self = argc > 0 ? strrchr(argv[0], '/') : NULL;

	self = self ? self + 1 : (argc > 0 ? argv[0] : "");
	if (strstr(self, "hang")) {
		printf("# sleeping until the harness kills this test\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	printf("TAP version 13\n1..2\n");
	printf("%sok 1 probe.module_listed\n", module_listed("vmtest_splat") ? "" : "not ");
	printf("# the next failure is deliberate\n");
	printf("not ok 2 probe.deliberate_failure\n");
	return 1;
}
