// Qt Quick Test runner for the components in qml/: offscreen, with the SiteVisit module linked in
// and the app's translations installed as start-up installs them (the plural forms of counts).
#include "translations.h"

#include <QCoreApplication>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest/quicktest.h>

Q_IMPORT_QML_PLUGIN(SiteVisitPlugin)

namespace {
void install_app_translations() {
    if (!sitevisit::app::install_translations(*QCoreApplication::instance()))
        qFatal("the app's translations are not in its resources");
}
} // namespace
Q_COREAPP_STARTUP_FUNCTION(install_app_translations)

QUICK_TEST_MAIN(sitevisit_components)
