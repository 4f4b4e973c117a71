#pragma once

#include <QAbstractListModel>
#include <QObject>
#include <QQmlEngine>
#include <QQmlParserStatus>
#include <QUrl>
#include <map>
#include <string>

namespace sitevisit {
struct Row;
}
namespace sitevisit::client {
struct Attachment;
}

namespace sitevisit::app {

class AppController;

// The indicators of one practice in a visit, with this visit's rating, note and source, and
// the observation that holds them (once there is one) with how many comments it has.
class IndicatorListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("made by VisitController")
public:
    enum Roles {
        IndicatorIdRole = Qt::UserRole + 1,
        CodeRole,
        NameRole,
        RatingRole,
        NoteRole,
        SourceRole,
        FilesRole,
        ObservationRole,
        CommentsRole
    };
    struct Item {
        QString id, code, name, note, source;
        int rating = -1;     // -1: unrated
        int files = 0;       // evidence attached to this indicator's observation
        QString observation; // this visit's observation of the indicator ("" before any)
        int comments = 0;    // comments on that observation
        bool operator==(const Item&) const = default;
    };
    using QAbstractListModel::QAbstractListModel;
    int rowCount(const QModelIndex& parent = {}) const override {
        return parent.isValid() ? 0 : int(items_.size());
    }
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    void reset(QList<Item> items);
    void update(const Item& item);

private:
    QList<Item> items_;
};

// Capturing a visit on a tablet: choose a practice, rate its indicators on the continuum,
// write the evidence; every change is saved at once (autosave), then submit.
class VisitController : public QObject, public QQmlParserStatus {
    Q_OBJECT
    QML_ELEMENT
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(QString visitId READ visitId WRITE setVisitId NOTIFY changed)
    Q_PROPERTY(QString title READ title NOTIFY changed)
    Q_PROPERTY(QString status READ status NOTIFY changed)
    // The status as a Values.VisitStatus (Values.Draft, Values.Submitted, Values.Reviewed).
    Q_PROPERTY(int statusValue READ statusValue NOTIFY changed)
    Q_PROPERTY(bool editable READ editable NOTIFY changed)
    Q_PROPERTY(int practice READ practice WRITE setPractice NOTIFY changed)
    Q_PROPERTY(QVariantList practices READ practices NOTIFY changed)
    Q_PROPERTY(QStringList levels READ levels NOTIFY changed)
    Q_PROPERTY(QVariantList sources READ sources NOTIFY changed)
    Q_PROPERTY(QVariantList summary READ summary NOTIFY changed)
    // Indicators of the visit's rubric not rated yet (the submit confirmation says so).
    Q_PROPERTY(int unrated READ unrated NOTIFY changed)
    Q_PROPERTY(QObject* indicators READ indicators CONSTANT)
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorChanged)
    // The visit's school (for the next steps beside it).
    Q_PROPERTY(QString schoolId READ schoolId NOTIFY changed)
    // The lead's strengths and areas for growth, per practice ("1".."4" -> text).
    Q_PROPERTY(QVariantMap strengths READ strengths NOTIFY changed)
    Q_PROPERTY(QVariantMap areasForGrowth READ areasForGrowth NOTIFY changed)
    // A file being made ready on a worker (read, downscaled, hashed) for attach().
    Q_PROPERTY(bool preparing READ preparing NOTIFY preparingChanged)
    // The visit report (PDF): whether this person may make it (core's MakeReport), whether one
    // is being made, the file made, a name to save it as, and what became of it.
    Q_PROPERTY(bool canReport READ canReport NOTIFY changed)
    Q_PROPERTY(bool makingReport READ makingReport NOTIFY reportChanged)
    Q_PROPERTY(QString reportFile READ reportFile NOTIFY reportChanged)
    Q_PROPERTY(QString reportName READ reportName NOTIFY reportChanged)
    Q_PROPERTY(QString reportMessage READ reportMessage NOTIFY reportChanged)
    // Where the person saved it last ("" before a save), for Open.
    Q_PROPERTY(QString savedReport READ savedReport NOTIFY reportChanged)
    // Where "Save as" starts: the documents folder (else home), with the report's name.
    Q_PROPERTY(QUrl reportSaveUrl READ reportSaveUrl NOTIFY reportChanged)
    // The platform's share sheet is there (else the page offers "Save as").
    Q_PROPERTY(bool canShare READ canShare CONSTANT)
    // A submitted visit this person may mark reviewed (a regional director of its region or an
    // admin, not on its team); once reviewed, by whom and what the review found.
    Q_PROPERTY(bool canMarkReviewed READ canMarkReviewed NOTIFY changed)
    // A draft visit with two or more on the team, and this person one of them: the rating
    // buttons record this person's own rating (withheld from the others until they are done),
    // and the visit's rating is set on the team's page. The practices' counts are then theirs.
    Q_PROPERTY(bool ratingOwn READ ratingOwn NOTIFY changed)
    // On such a visit, this person marked their ratings done (final).
    Q_PROPERTY(bool ownRatingsDone READ ownRatingsDone NOTIFY changed)
    Q_PROPERTY(QString reviewedBy READ reviewedBy NOTIFY changed)
    Q_PROPERTY(QString reviewComment READ reviewComment NOTIFY changed)
public:
    explicit VisitController(QObject* parent = nullptr);
    // The app it reads and writes through: the engine's App singleton when QML makes it
    // (classBegin), else set by whoever made it.
    void setApp(AppController* app);
    void classBegin() override;
    void componentComplete() override {}
    QString visitId() const { return visit_; }
    void setVisitId(const QString& id);
    QString title() const { return title_; }
    QString status() const { return status_; }
    int statusValue() const { return status_value_; }
    bool editable() const { return editable_; }
    int practice() const { return practice_; }
    void setPractice(int p);
    QVariantList practices() const { return practices_; }
    QStringList levels() const { return levels_; }
    QVariantList sources() const { return sources_; }
    QVariantList summary() const { return summary_; }
    int unrated() const { return unrated_; }
    QObject* indicators() { return &indicators_; }
    QString errorString() const { return error_; }
    bool preparing() const { return preparing_ > 0; }
    bool canReport() const { return can_report_; }
    bool makingReport() const { return making_report_; }
    QString reportFile() const { return report_file_; }
    QString reportName() const { return report_name_; }
    QString reportMessage() const { return report_message_; }
    QString savedReport() const { return saved_report_; }
    QUrl reportSaveUrl() const;
    bool canShare() const;
    bool canMarkReviewed() const { return can_mark_reviewed_; }
    bool ratingOwn() const { return rating_own_; }
    bool ownRatingsDone() const { return own_done_; }
    QString reviewedBy() const { return reviewed_by_; }
    QString reviewComment() const { return review_comment_; }
    QString schoolId() const { return school_; }
    QVariantMap strengths() const { return strengths_; }
    QVariantMap areasForGrowth() const { return areas_for_growth_; }

    Q_INVOKABLE bool rate(const QString& indicatorId, int rating); // -1 clears
    Q_INVOKABLE bool setNote(const QString& indicatorId, const QString& note);
    Q_INVOKABLE bool setSource(const QString& indicatorId, const QString& source);
    Q_INVOKABLE bool submit();
    // Marks the submitted visit reviewed with what the review found (required).
    Q_INVOKABLE bool markReviewed(const QString& comment);
    // Saves the practice's strengths or areas for growth to the visit (a draft the user may edit).
    Q_INVOKABLE bool setStrengths(int practice, const QString& text);
    Q_INVOKABLE bool setAreasForGrowth(int practice, const QString& text);
    // A photo or document for this indicator's observation (made if needed); a photo is
    // downscaled, a file over the server's limit refused, the upload queued. The file is made
    // ready on a worker: true says that started (then attached() or errorString follows),
    // false that it was refused at once. Nothing is written unless the file is ready.
    Q_INVOKABLE bool attach(const QString& indicatorId, const QUrl& file);
    Q_INVOKABLE void reload();
    // Makes the visit report offline: read here, laid out and written on a worker; true says
    // it started (then reportReady() or errorString follows).
    Q_INVOKABLE bool makeReport();
    // The report made, through the share sheet, or copied to a file the person chose.
    Q_INVOKABLE bool shareReport();
    Q_INVOKABLE bool saveReport(const QUrl& to);
    // Opens the copy saved last in the system's PDF viewer.
    Q_INVOKABLE bool openSavedReport();

signals:
    void changed();
    void errorChanged();
    void preparingChanged();
    // The file given to attach() is now evidence of the indicator's observation.
    void attached(const QString& indicatorId);
    void reportChanged();
    // The report is written to `path` (reportFile), ready to share or save.
    void reportReady(const QString& path);

private:
    // Reads the visit again; `announce` emits changed() even when nothing moved.
    void load(bool announce);
    bool write(const QString& indicatorId, const QString& field, const QVariant& value);
    void fail(const QString& message);
    bool write_practice_text(const char* field, int practice, const QString& text);
    // Per practice, how many indicators sit at each continuum level in this visit and in the
    // previous submitted visit of the same kind at the school (ordinal: counts, never means).
    void build_summary(const Row& visit, const std::map<std::string, Row>& obs_by_indicator);
    // Writes the evidence row (and the observation, if new) once the file is ready.
    void store_attachment(const std::string& user, const QString& visitId, const QString& schoolId,
                          const QString& indicatorId, const QUrl& file,
                          const client::Attachment& a);

    AppController* app_ = nullptr;
    QString visit_, title_, status_, error_, school_, rubric_;
    int status_value_ = 0;
    bool editable_ = false, can_mark_reviewed_ = false, rating_own_ = false, own_done_ = false;
    QString reviewed_by_, review_comment_;
    int practice_ = 1;
    int unrated_ = 0;
    int preparing_ = 0; // files on a worker
    bool can_report_ = false, making_report_ = false;
    QString report_file_, report_name_, report_message_, saved_report_;
    QVariantList practices_, sources_, summary_;
    QVariantMap strengths_, areas_for_growth_;
    QStringList levels_;
    std::map<QString, QString> observation_of_; // indicator -> observation row
    IndicatorListModel indicators_;
};

} // namespace sitevisit::app
