/* Shared main for the CUnit test binaries: run one suite, exit non-zero on any
 * failure so `make check` sees it. A test file defines its CU_TestInfo array
 * and calls CU_MAIN("suite name", tests). */
#ifndef SHUGO_CU_MAIN_H
#define SHUGO_CU_MAIN_H

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

static inline int cu_run(const char *suite, CU_TestInfo *tests)
{
	CU_SuiteInfo suites[] = {
		{(char *)suite, NULL, NULL, NULL, NULL, tests},
		CU_SUITE_INFO_NULL,
	};
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned failed = CU_get_number_of_tests_failed();
	unsigned run = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	return (failed == 0 && run > 0) ? 0 : 1;
}

/* An assertion with a formatted message (CU_ASSERT's is fixed text). */
#define CHECK(cond, ...)                                                                   \
	do {                                                                               \
		char msg_[1024];                                                           \
		snprintf(msg_, sizeof(msg_), __VA_ARGS__);                                 \
		CU_assertImplementation(!!(cond), __LINE__, msg_, __FILE__, "", CU_FALSE); \
	} while (0)

#define CU_MAIN(name, tests) \
	int main(void) { return cu_run((name), (tests)); }

#endif
