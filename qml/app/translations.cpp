#include "translations.h"

#include <QCoreApplication>
#include <QLocale>
#include <QTranslator>

namespace sitevisit::app {

bool install_translations(QCoreApplication& app) {
    auto* english = new QTranslator(&app);
    if (!english->load(QStringLiteral(":/i18n/sitevisit_en.qm"))) {
        delete english;
        return false;
    }
    QCoreApplication::installTranslator(english);
    // Installed last, looked in first: the person's language over the English fallback.
    if (QLocale().language() != QLocale::English) {
        auto* local = new QTranslator(&app);
        if (local->load(QLocale(), QStringLiteral("sitevisit"), QStringLiteral("_"),
                        QStringLiteral(":/i18n")))
            QCoreApplication::installTranslator(local);
        else
            delete local;
    }
    return true;
}

} // namespace sitevisit::app
