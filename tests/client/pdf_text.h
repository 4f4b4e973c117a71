#pragma once

// The text of a PDF through poppler's pdftotext, for tests that check what a report says.

#include <QProcess>
#include <QStandardPaths>
#include <QString>

namespace sitevisit::testing {

// The PDF's text with runs of white space made one space, or why it could not be read.
inline QString pdf_text(const QString& pdf) {
    const QString tool = QStandardPaths::findExecutable(QStringLiteral("pdftotext"));
    if (tool.isEmpty()) return QStringLiteral("(pdftotext not found: install poppler-utils)");
    QProcess p;
    p.start(tool, {pdf, QStringLiteral("-")});
    if (!p.waitForFinished(30000) || p.exitCode() != 0)
        return QStringLiteral("(pdftotext failed: %1)")
            .arg(QString::fromUtf8(p.readAllStandardError()));
    // Compatibility forms: the "ﬁ" and "ﬀ" ligatures the layout draws read as their letters.
    return QString::fromUtf8(p.readAllStandardOutput())
        .normalized(QString::NormalizationForm_KC)
        .simplified();
}

} // namespace sitevisit::testing
