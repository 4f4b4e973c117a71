#pragma once

#include <string_view>

namespace sitevisit::assets {
// The reference data (practices, rubrics, continuum, evidence sources) this build ships with.
std::string_view default_reference_json();
} // namespace sitevisit::assets
