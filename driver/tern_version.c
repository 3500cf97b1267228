/*
 * The version strings of tern_version.h. The version and git revision come from
 * build/gen/tern_build_info.h, which the Makefile rewrites only when they change (so
 * a new commit recompiles this file alone); the ISA hash from the generator's
 * tern_isa_meta.h.
 */
#include "tern_version.h"
#include "tern_build_info.h"
#include "tern_isa_meta.h"

const char *tern_version(void)
{
	return TERN_BUILD_VERSION;
}

const char *tern_version_git(void)
{
	return TERN_BUILD_GIT;
}

const char *tern_version_isa_hash(void)
{
	return TERN_ISA_SHA256;
}
