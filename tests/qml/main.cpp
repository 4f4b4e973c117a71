// Qt Quick Test runner for the components in qml/: offscreen, with the SiteVisit module linked in.
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest/quicktest.h>

Q_IMPORT_QML_PLUGIN(SiteVisitPlugin)

QUICK_TEST_MAIN(sitevisit_components)
