#pragma once

// The device's sync log, one category per part, quiet by default except for warnings. Switch
// them on with QT_LOGGING_RULES, e.g. QT_LOGGING_RULES="sitevisit.*.info=true":
//   sitevisit.sync      one line per sync (how it ended, how long, what moved), sign-in
//   sitevisit.transfer  one line per file uploaded or downloaded
//   sitevisit.refusal   one line per change or file the server refused, with the reason

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcSync)
Q_DECLARE_LOGGING_CATEGORY(lcTransfer)
Q_DECLARE_LOGGING_CATEGORY(lcRefusal)
