#pragma once

class QCoreApplication;

namespace sitevisit::app {

// Installs the app's translations (built into the app from assets/translations) on `app`:
// English whatever the locale, for its plural forms ("1 change", "2 changes"), then the
// system locale's when the app has one. False when the English one could not be loaded.
bool install_translations(QCoreApplication& app);

} // namespace sitevisit::app
