// The visit report on paper: the content as rich text (QTextDocument), laid out on A4 pages by
// Qt's own PDF writer, with the school and visit in a header and page numbers in a footer on
// every page. Photos are drawn as thumbnails decoded at their small size.
#include "visit_report.h"

#include <QAbstractTextDocumentLayout>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTextDocument>
#include <QTextFrame>
#include <QUrl>

namespace sitevisit::report {

namespace {

// Colours: a dark blue for headings, greys for structure, one tint per continuum level.
constexpr const char* kInk = "#1f2933";
constexpr const char* kHeading = "#1f3a5f";
constexpr const char* kMuted = "#5f6b7a";
constexpr const char* kRule = "#c9d2dc";
constexpr const char* kPanel = "#f2f5f8";
const char* level_tint(int rating) {
    static const char* tints[] = {"#f6d8d3", "#fbe9c6", "#d9e7f6", "#d5eedb"};
    return rating >= 0 && rating < 4 ? tints[rating] : "#eeeeee";
}

QString esc(const QString& s) {
    return s.toHtmlEscaped();
}
// Text a person typed: escaped, with its line breaks kept.
QString para(const QString& s) {
    return esc(s).replace(QLatin1Char('\n'), QStringLiteral("<br>"));
}

QString change_html(const RatedIndicator& i) {
    switch (i.change) {
    case Change::Up:
        return QStringLiteral("<span style='color:#1e7b34'>Up from %1</span>")
            .arg(esc(i.previous_level));
    case Change::Down:
        return QStringLiteral("<span style='color:#b3261e'>Down from %1</span>")
            .arg(esc(i.previous_level));
    case Change::Same:
        return QStringLiteral("<span style='color:%1'>Same as before</span>").arg(kMuted);
    case Change::New:
        return QStringLiteral("<span style='color:#1f5fa8'>New</span>");
    }
    return {};
}

constexpr int kThumbWidth = 150; // on the page, in CSS pixels (1/96 inch)
constexpr int kThumbsPerRow = 4;

struct Thumbs {
    int drawn = 0, missing = 0;
};

// Decodes at the thumbnail's size (JPEG decodes scaled, so a 3000 px photo costs little).
QImage thumbnail(const QString& file) {
    QImageReader reader(file);
    reader.setAutoTransform(true);
    const QSize full = reader.size();
    if (full.isValid()) reader.setScaledSize(full.scaled(480, 360, Qt::KeepAspectRatio));
    return reader.read();
}

QString photos_html(QTextDocument& doc, const RatedIndicator& ind, Thumbs& thumbs) {
    if (ind.photos.empty()) return {};
    QString html = QStringLiteral("<table cellspacing='6' cellpadding='0'><tr>");
    int column = 0;
    for (const Photo& p : ind.photos) {
        if (column == kThumbsPerRow) {
            html += QStringLiteral("</tr><tr>");
            column = 0;
        }
        ++column;
        QImage image = p.file.isEmpty() ? QImage() : thumbnail(p.file);
        if (image.isNull()) {
            ++thumbs.missing;
            html += QStringLiteral("<td width='%1' bgcolor='%2' style='padding:8px'>"
                                   "<span style='font-size:8pt'>%3</span><br>"
                                   "<span style='font-size:8pt; color:%4'><i>Photo not "
                                   "downloaded</i></span></td>")
                        .arg(kThumbWidth)
                        .arg(kPanel, esc(p.title), kMuted);
            continue;
        }
        ++thumbs.drawn;
        const QString name = QStringLiteral("thumb:%1").arg(thumbs.drawn);
        doc.addResource(QTextDocument::ImageResource, QUrl(name), image);
        const int height = image.width() > 0 ? kThumbWidth * image.height() / image.width() : 0;
        html += QStringLiteral("<td width='%1' valign='top'><img src='%2' width='%1' height='%3'>"
                               "<br><span style='font-size:7.5pt; color:%4'>%5</span></td>")
                    .arg(kThumbWidth)
                    .arg(name)
                    .arg(height)
                    .arg(kMuted, esc(p.title));
    }
    return html + QStringLiteral("</tr></table>");
}

QString title_block(const VisitReport& r) {
    QString html;
    html += QStringLiteral("<p style='font-size:9pt; color:%1; margin:0'>SITE VISIT REPORT</p>")
                .arg(kMuted);
    html += QStringLiteral("<p style='font-size:20pt; font-weight:bold; color:%1; margin-top:2px; "
                           "margin-bottom:2px'>%2</p>")
                .arg(kHeading, esc(r.school));
    html += QStringLiteral("<p style='font-size:12pt; color:%1; margin-top:0; "
                           "margin-bottom:10px'>%2 · %3</p>")
                .arg(kInk, esc(r.kind), esc(r.dates));
    if (!r.submitted)
        html += QStringLiteral("<p style='color:#8a5300; margin-bottom:8px'><b>Draft:</b> this "
                               "visit is not submitted yet; its ratings may still change.</p>");
    auto row = [](const QString& key, const QString& value) {
        return QStringLiteral("<tr><td width='22%' style='color:%1'>%2</td><td>%3</td></tr>")
            .arg(kMuted, key, value);
    };
    html += QStringLiteral("<table width='100%' cellspacing='0' cellpadding='3' bgcolor='%1' "
                           "style='margin-top:6px'>")
                .arg(kPanel);
    html += row(QStringLiteral("District"), esc(r.district));
    html += row(QStringLiteral("School"),
                esc(r.school) + (r.school_code.isEmpty()
                                     ? QString()
                                     : QStringLiteral(" (%1)").arg(esc(r.school_code))));
    html += row(QStringLiteral("Kind of visit"), esc(r.kind));
    html += row(QStringLiteral("Dates"), esc(r.dates));
    html += row(QStringLiteral("Status"), esc(r.status));
    html += row(QStringLiteral("Team"), esc(r.team));
    html += row(QStringLiteral("Rubric"), esc(r.rubric));
    html += row(QStringLiteral("Compared with"),
                r.previous_visit.isEmpty()
                    ? QStringLiteral("No earlier submitted %1 at this school: every rating is new")
                          .arg(esc(r.kind.toLower()))
                    : QStringLiteral("The %1 of %2 (the previous submitted one)")
                          .arg(esc(r.kind.toLower()), esc(r.previous_visit)));
    return html + QStringLiteral("</table>");
}

QString counts_table(const VisitReport& r) {
    QString html = QStringLiteral("<h2 style='font-size:13pt; color:%1; margin-top:18px; "
                                  "margin-bottom:4px'>Ratings by practice</h2>")
                       .arg(kHeading);
    html += QStringLiteral("<p style='font-size:8.5pt; color:%1; margin-top:0'>How many indicators "
                           "were rated at each level of the continuum. The continuum is ordinal, "
                           "so the report counts and does not average.</p>")
                .arg(kMuted);
    html += QStringLiteral("<table width='100%' cellspacing='0' cellpadding='5'>");
    html += QStringLiteral("<tr style='font-size:8.5pt'><th align='left' bgcolor='%1'>Practice"
                           "</th>")
                .arg(kPanel);
    for (int l = 0; l < r.levels.size(); ++l)
        html += QStringLiteral("<th width='12%' bgcolor='%1' style='white-space:nowrap'>%2</th>")
                    .arg(level_tint(l), esc(r.levels[l]));
    html += QStringLiteral("<th width='10%' bgcolor='%1'>Not rated</th></tr>").arg(kPanel);
    bool shaded = false;
    for (const PracticeSection& p : r.practices) {
        html += QStringLiteral("<tr%1><td><b>%2.</b> %3</td>")
                    .arg(shaded ? QStringLiteral(" bgcolor='#f8fafc'") : QString())
                    .arg(p.number)
                    .arg(esc(p.name));
        shaded = !shaded;
        for (int c : p.counts)
            html += QStringLiteral("<td align='center'>%1</td>").arg(c);
        html += QStringLiteral("<td align='center' style='color:%1'>%2</td></tr>")
                    .arg(kMuted)
                    .arg(p.unrated);
    }
    return html + QStringLiteral("</table>");
}

// How the rated indicators moved since the previous submitted visit of the same kind, per
// practice (the indicators themselves are listed on the practice pages).
QString changes_table(const VisitReport& r) {
    QString html = QStringLiteral("<h2 style='font-size:13pt; color:%1; margin-top:18px; "
                                  "margin-bottom:4px'>Change since the previous visit</h2>")
                       .arg(kHeading);
    html +=
        QStringLiteral("<p style='font-size:8.5pt; color:%1; margin-top:0'>%2</p>")
            .arg(kMuted, r.previous_visit.isEmpty()
                             ? QStringLiteral("No earlier submitted %1 at this school: every rated "
                                              "indicator counts as new.")
                                   .arg(esc(r.kind.toLower()))
                             : QStringLiteral("Each rated indicator against its level in the %1 of "
                                              "%2; new: not rated then.")
                                   .arg(esc(r.kind.toLower()), esc(r.previous_visit)));
    const Change order[] = {Change::Up, Change::Same, Change::Down, Change::New};
    const char* names[] = {"Up", "Same", "Down", "New"};
    const char* colours[] = {"#1e7b34", kMuted, "#b3261e", "#1f5fa8"};
    html += QStringLiteral("<table width='100%' cellspacing='0' cellpadding='5'><tr "
                           "style='font-size:8.5pt'><th align='left' bgcolor='%1'>Practice</th>")
                .arg(kPanel);
    for (int c = 0; c < 4; ++c)
        html += QStringLiteral("<th width='12%' bgcolor='%1' style='color:%2'>%3</th>")
                    .arg(kPanel, colours[c], names[c]);
    html += QStringLiteral("<th width='10%' bgcolor='%1'></th></tr>").arg(kPanel);
    bool shaded = false;
    for (const PracticeSection& p : r.practices) {
        int n[4] = {0, 0, 0, 0};
        for (const RatedIndicator& i : p.indicators)
            for (int c = 0; c < 4; ++c)
                if (i.change == order[c]) ++n[c];
        html += QStringLiteral("<tr%1><td><b>%2.</b> %3</td>")
                    .arg(shaded ? QStringLiteral(" bgcolor='#f8fafc'") : QString())
                    .arg(p.number)
                    .arg(esc(p.name));
        shaded = !shaded;
        for (int c = 0; c < 4; ++c)
            html += QStringLiteral("<td align='center'>%1</td>").arg(n[c]);
        html += QStringLiteral("<td></td></tr>");
    }
    return html + QStringLiteral("</table>");
}

QString indicator_html(QTextDocument& doc, const RatedIndicator& i, Thumbs& thumbs) {
    QString html = QStringLiteral("<table width='100%' cellspacing='0' cellpadding='4' "
                                  "style='margin-top:8px'>");
    html += QStringLiteral("<tr><td style='border-top:1px solid %1'><b>%2</b>&nbsp; %3</td>"
                           "<td width='24%' align='right' style='border-top:1px solid %1'>"
                           "<span style='background-color:%4'>&nbsp;%5&nbsp;</span><br>"
                           "<span style='font-size:8.5pt'>%6</span></td></tr>")
                .arg(kRule, esc(i.code), esc(i.name), level_tint(i.rating), esc(i.level),
                     change_html(i));
    QString body;
    body += QStringLiteral("<span style='color:%1'>Evidence:</span> %2")
                .arg(kMuted, i.note.isEmpty() ? QStringLiteral("<i>no note</i>") : para(i.note));
    body +=
        QStringLiteral("<br><span style='color:%1'>Source:</span> %2")
            .arg(kMuted, i.source.isEmpty() ? QStringLiteral("<i>not given</i>") : esc(i.source));
    if (!i.documents.isEmpty()) {
        QStringList titles;
        for (const QString& d : i.documents)
            titles << esc(d);
        body += QStringLiteral("<br><span style='color:%1'>Documents:</span> %2")
                    .arg(kMuted, titles.join(QStringLiteral("; ")));
    }
    html += QStringLiteral("<tr><td colspan='2' style='font-size:9.5pt'>%1</td></tr>").arg(body);
    if (const QString photos = photos_html(doc, i, thumbs); !photos.isEmpty())
        html += QStringLiteral("<tr><td colspan='2'>%1</td></tr>").arg(photos);
    return html + QStringLiteral("</table>");
}

QString practice_html(QTextDocument& doc, const PracticeSection& p, const VisitReport& r,
                      Thumbs& thumbs) {
    // Each practice starts a page, so its heading never sits alone at the foot of one.
    QString html = QStringLiteral("<h2 style='font-size:14pt; color:%1; margin-top:0; "
                                  "margin-bottom:2px; page-break-before:always'>Practice %2</h2>"
                                  "<p style='font-size:11pt; color:%1; margin-top:0'>%3</p>")
                       .arg(kHeading)
                       .arg(p.number)
                       .arg(esc(p.name));
    QStringList counts;
    for (int l = 0; l < int(p.counts.size()) && l < r.levels.size(); ++l)
        counts << QStringLiteral("%1 %2").arg(esc(r.levels[l])).arg(p.counts[size_t(l)]);
    counts << QStringLiteral("not rated %1").arg(p.unrated);
    html += QStringLiteral("<p style='font-size:9pt; color:%1'>%2</p>")
                .arg(kMuted, counts.join(QStringLiteral(" · ")));
    auto box = [](const QString& heading, const QString& text) {
        return QStringLiteral("<td width='50%' valign='top' bgcolor='%1'><b style='color:%2'>%3"
                              "</b><br>%4</td>")
            .arg(kPanel, kHeading, heading,
                 text.isEmpty() ? QStringLiteral("<i style='color:%1'>Not written</i>").arg(kMuted)
                                : para(text));
    };
    html += QStringLiteral("<table width='100%' cellspacing='6' cellpadding='6'><tr>%1%2</tr>"
                           "</table>")
                .arg(box(QStringLiteral("Strengths"), p.strengths),
                     box(QStringLiteral("Areas for growth"), p.areas_for_growth));
    if (p.indicators.empty())
        html += QStringLiteral("<p style='color:%1'><i>No indicator of this practice was rated."
                               "</i></p>")
                    .arg(kMuted);
    for (const RatedIndicator& i : p.indicators)
        html += indicator_html(doc, i, thumbs);
    return html;
}

QString steps_html(const VisitReport& r) {
    QString html = QStringLiteral("<h2 style='font-size:14pt; color:%1; margin-top:0; "
                                  "page-break-before:always'>Next steps</h2>")
                       .arg(kHeading);
    if (r.next_steps.empty())
        return html + QStringLiteral("<p style='color:%1'><i>No next steps were recorded for this "
                                     "visit.</i></p>")
                          .arg(kMuted);
    for (const StepGroup& g : r.next_steps) {
        html += QStringLiteral("<p style='font-weight:bold; margin-top:10px; margin-bottom:2px'>"
                               "%1</p>")
                    .arg(esc(g.heading));
        // The heading row repeats on every page a long list runs onto (thead).
        html += QStringLiteral("<table width='100%' cellspacing='0' cellpadding='4'>"
                               "<thead><tr bgcolor='%1'><th align='left'>Step</th><th "
                               "align='left' width='22%'>Owner</th><th align='left' "
                               "width='14%'>Due</th><th align='left' width='13%'>Status</th>"
                               "</tr></thead>")
                    .arg(kPanel);
        bool shaded = false;
        for (const Step& s : g.steps) {
            html +=
                QStringLiteral("<tr%1><td><b>%2</b>%3</td><td>%4</td><td>%5</td><td>%6</td>"
                               "</tr>")
                    .arg(shaded ? QStringLiteral(" bgcolor='#f8fafc'") : QString(), esc(s.title),
                         s.description.isEmpty()
                             ? QString()
                             : QStringLiteral("<br><span style='font-size:9pt'>%1</span>")
                                   .arg(para(s.description)),
                         esc(s.owner), esc(s.due_date), esc(s.status));
            shaded = !shaded;
        }
        html += QStringLiteral("</table>");
    }
    return html;
}

// Each table (an indicator with its photos, a group of next steps) that fits on a page starts
// a new one rather than be cut, so photos stay with their indicator. In order, because moving
// one table moves everything after it.
void keep_tables_whole(QTextDocument& doc, qreal page_height) {
    for (QTextFrame* frame : doc.rootFrame()->childFrames()) {
        const QRectF box = doc.documentLayout()->frameBoundingRect(frame);
        const bool cut = int(box.top() / page_height) != int((box.bottom() - 1) / page_height);
        if (!cut || box.height() > page_height * 0.9) continue;
        QTextFrameFormat format = frame->frameFormat();
        format.setPageBreakPolicy(QTextFormat::PageBreak_AlwaysBefore);
        frame->setFrameFormat(format);
    }
}

} // namespace

Result<ReportSummary> write_report_pdf(const VisitReport& r, const QString& out_path) {
    QSaveFile out(out_path);
    if (!out.open(QIODevice::WriteOnly))
        return Error{ErrorCode::Storage, "cannot write " + out_path.toStdString() + ": " +
                                             out.errorString().toStdString()};
    ReportSummary summary;
    {
        QPdfWriter writer(&out);
        writer.setTitle(QStringLiteral("Site visit report: %1, %2").arg(r.school, r.dates));
        writer.setCreator(QStringLiteral("Site Visit"));
        writer.setResolution(300);
        // The whole sheet is ours: header and footer live in what would be the margins.
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait,
                                         QMarginsF(0, 0, 0, 0), QPageLayout::Millimeter));
        const QRect sheet = writer.pageLayout().fullRectPixels(writer.resolution());
        const auto mm = [&](double v) { return int(v * writer.resolution() / 25.4); };
        const QRect body(mm(18), mm(24), sheet.width() - 2 * mm(18),
                         sheet.height() - mm(24) - mm(18));

        QTextDocument doc;
        doc.documentLayout()->setPaintDevice(&writer);
        QFont font(QStringLiteral("DejaVu Sans"));
        font.setStyleHint(QFont::SansSerif);
        font.setPointSizeF(10);
        doc.setDefaultFont(font);
        doc.setDocumentMargin(0);
        doc.setDefaultStyleSheet(
            QStringLiteral("body { color: %1; } th { font-weight: bold; }").arg(kInk));
        doc.setPageSize(body.size());

        Thumbs thumbs;
        QString html =
            QStringLiteral("<body>") + title_block(r) + counts_table(r) + changes_table(r);
        for (const PracticeSection& p : r.practices) {
            html += practice_html(doc, p, r, thumbs);
            summary.indicators += int(p.indicators.size());
        }
        html += steps_html(r) + QStringLiteral("</body>");
        doc.setHtml(html);
        keep_tables_whole(doc, body.height());

        summary.pages = doc.pageCount();
        summary.photos = thumbs.drawn;
        summary.photos_missing = thumbs.missing;

        QPainter painter(&writer);
        if (!painter.isActive())
            return Error{ErrorCode::Storage, "cannot start a PDF in " + out_path.toStdString()};
        QFont small = font;
        small.setPointSizeF(8);
        const QString visit_line = QStringLiteral("%1 · %2 · %3").arg(r.school, r.kind, r.dates);
        for (int page = 0; page < summary.pages; ++page) {
            if (page > 0) writer.newPage();
            // Header: the school and visit on every page; footer: when it was made, page numbers.
            painter.setFont(small);
            painter.setPen(QColor(kMuted));
            const QRect head(body.left(), mm(10), body.width(), mm(8));
            painter.drawText(
                head, Qt::AlignLeft | Qt::AlignBottom,
                painter.fontMetrics().elidedText(visit_line, Qt::ElideRight, body.width() * 3 / 4));
            painter.drawText(head, Qt::AlignRight | Qt::AlignBottom,
                             r.submitted ? QStringLiteral("Site visit report")
                                         : QStringLiteral("Site visit report (draft)"));
            painter.setPen(QPen(QColor(kRule), mm(0.3)));
            painter.drawLine(body.left(), mm(19), body.right(), mm(19));
            const QRect foot(body.left(), sheet.height() - mm(13), body.width(), mm(6));
            painter.drawLine(body.left(), foot.top() - mm(1), body.right(), foot.top() - mm(1));
            painter.setPen(QColor(kMuted));
            painter.drawText(foot, Qt::AlignLeft | Qt::AlignVCenter,
                             QStringLiteral("Made on the device %1").arg(r.made_at));
            painter.drawText(foot, Qt::AlignRight | Qt::AlignVCenter,
                             QStringLiteral("Page %1 of %2").arg(page + 1).arg(summary.pages));

            painter.save();
            painter.translate(body.left(), body.top() - page * body.height());
            const QRectF this_page(0, page * body.height(), body.width(), body.height());
            painter.setClipRect(this_page); // a table cut by the page draws on this page only
            doc.drawContents(&painter, this_page);
            painter.restore();
        }
        painter.end();
    }
    if (!out.commit())
        return Error{ErrorCode::Storage, "cannot write " + out_path.toStdString() + ": " +
                                             out.errorString().toStdString()};
    summary.path = QFileInfo(out_path).absoluteFilePath();
    summary.bytes = QFileInfo(out_path).size();
    return summary;
}

Result<ReportSummary> make_visit_report(const Store& store, const User& reader,
                                        std::string_view visit_id, const QString& out_path,
                                        const FileLookup& files, const Clock& clock) {
    auto report = build_visit_report(store, reader, visit_id, files, clock);
    if (!report) return report.error();
    return write_report_pdf(*report, out_path);
}

} // namespace sitevisit::report
