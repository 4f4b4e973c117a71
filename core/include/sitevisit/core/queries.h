#pragma once

#include "sitevisit/core/benchmark_status.h"
#include "sitevisit/core/store.h"

namespace sitevisit {

// A benchmark's derived status from its row and its readings on this device.
Result<StatusReport> benchmark_status(const Store& store, std::string_view benchmark_id,
                                      std::int64_t today);

// Whether the benchmark's monitoring rhythm is kept: its readings and the monitoring meetings
// of its school that reviewed it, on this device.
Result<CadenceReport> benchmark_cadence(const Store& store, std::string_view benchmark_id,
                                        std::int64_t today);

// The line of a benchmark row's fields (baseline, target, dates, cadence).
Result<BenchmarkLine> benchmark_line(const Json& fields);

} // namespace sitevisit
