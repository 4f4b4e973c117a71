#pragma once

#include "sitevisit/client/attachments.h"
#include "sitevisit/core/json.h"

#include <QAbstractListModel>
#include <QQmlEngine>
#include <QQmlParserStatus>

namespace sitevisit::app {

class AppController;

// Evidence of the schools on this device, newest first, with its review state and, for files
// this device is sending, how far the upload got. Filters: school, benchmark and state.
class EvidenceModel : public QAbstractListModel, public QQmlParserStatus {
    Q_OBJECT
    QML_ELEMENT
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(QString schoolId READ schoolId WRITE setSchoolId NOTIFY changed)
    Q_PROPERTY(QString stateFilter READ stateFilter WRITE setStateFilter NOTIFY changed)
    Q_PROPERTY(QString benchmarkFilter READ benchmarkFilter WRITE setBenchmarkFilter NOTIFY changed)
    Q_PROPERTY(QVariantList schools READ schools NOTIFY changed)
    Q_PROPERTY(QVariantList indicators READ indicators NOTIFY changed)
    Q_PROPERTY(int waitingCount READ waitingCount NOTIFY changed)
    Q_PROPERTY(int count READ rowCount NOTIFY changed)
    Q_PROPERTY(bool canReview READ canReview NOTIFY changed)
    Q_PROPERTY(bool canUpload READ canUpload NOTIFY changed)
    Q_PROPERTY(QVariantList benchmarks READ benchmarks NOTIFY changed)
    Q_PROPERTY(QString errorString READ errorString NOTIFY changed)
    // A file given to addEvidence() being made ready on a worker (read, downscaled, hashed).
    Q_PROPERTY(bool preparing READ preparing NOTIFY preparingChanged)
public:
    enum Roles {
        EvidenceIdRole = Qt::UserRole + 1,
        TitleRole,
        KindRole,
        MediaTypeRole,
        SizeRole,
        SchoolNameRole,
        StateRole,
        StateLabelRole,
        LastCommentRole,
        UploadRole,
        LocalFileRole,
        LinksRole,
        DescriptionRole,
        UploadProgressRole,
        UploadFailedRole,
        DetailRole,  // school · kind · size, in words
        DecisionRole // the latest ReviewDecision (Values.Accepted ...), -1 while waiting
    };
    explicit EvidenceModel(QObject* parent = nullptr) : QAbstractListModel(parent) {}
    int rowCount(const QModelIndex& parent = {}) const override {
        return parent.isValid() ? 0 : int(items_.size());
    }
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // The app it reads and writes through: the engine's App singleton when QML makes it
    // (classBegin), else set by whoever made it.
    void setApp(AppController* app);
    void classBegin() override;
    void componentComplete() override {}
    QString schoolId() const { return school_; }
    void setSchoolId(const QString& id);
    // "" (all), waiting, accepted, needs_more, not_relevant
    QString stateFilter() const { return state_; }
    void setStateFilter(const QString& s);
    bool canReview() const;
    bool canUpload() const;
    // A benchmark id: only evidence linked to it; "" for all.
    QString benchmarkFilter() const { return benchmark_; }
    void setBenchmarkFilter(const QString& id);
    // Benchmarks of the school (or of every school when none is chosen), to link evidence to
    // and to filter by: {benchmarkId, measure, schoolName}
    QVariantList benchmarks() const { return benchmarks_; }
    // Schools on this device, to filter by: {schoolId, name}
    QVariantList schools() const { return schools_; }
    // The school's rubric indicators, to link evidence to: {indicatorId, label, practice}
    QVariantList indicators() const { return indicators_; }
    // Evidence waiting for a decision in the current school/benchmark filter.
    int waitingCount() const { return waiting_; }
    QString errorString() const { return error_; }
    bool preparing() const { return preparing_ > 0; }

    // Principal: a file becomes evidence (a photo is downscaled first); its upload is queued.
    // The file is made ready on a worker: true says that started (evidenceAdded() or
    // evidenceRefused() follows), false that it was refused at once (errorString says why).
    // Nothing is written unless the file is ready.
    Q_INVOKABLE bool addEvidence(const QUrl& file, const QString& title,
                                 const QStringList& benchmarkIds,
                                 const QStringList& indicatorIds = {},
                                 const QString& description = {});
    // Receiver: a decision with a comment; the latest decision is the evidence's state.
    Q_INVOKABLE bool review(const QString& evidenceId, const QString& decision,
                            const QString& comment);
    // Principal: a benchmark reading.
    Q_INVOKABLE bool addReading(const QString& benchmarkId, const QString& date, double value,
                                const QString& note);
    // Queue a download of the file for preview; it arrives with the next sync.
    Q_INVOKABLE bool fetch(const QString& evidenceId);
    // Every file in the list not yet on this device, queued for download (to review offline).
    // Returns how many were queued.
    Q_INVOKABLE int fetchAll();
    // How many files in the list are not on this device.
    Q_PROPERTY(int missingFiles READ missingFiles NOTIFY changed)
    int missingFiles() const;
    // The first item in the list of that media type whose file is here: {title, localFile,
    // mediaType}, or empty (for screenshots of the preview).
    Q_INVOKABLE QVariantMap firstOnDevice(const QString& mediaType) const;
    Q_INVOKABLE void reload();
    // Upload progress of the rows, read again while a sync runs (no reset).
    void refreshUploads();

signals:
    void changed();
    void preparingChanged();
    // The file given to addEvidence() is stored as evidence, its upload queued.
    void evidenceAdded();
    // It could not be (too large, unreadable, a bad link): errorString says why.
    void evidenceRefused();

private:
    struct Item {
        QString id, title, description, kind, media, school_name, state, state_label, comment,
            upload, local_file, detail;
        std::string sha;
        double upload_progress = -1; // 0..1 while waiting or sending; -1 when done or failed
        bool upload_failed = false;
        qint64 size = 0;
        int decision = -1;
        QStringList links;
        QString sort_key;
    };
    bool fail(const std::string& message);
    // Writes the evidence row once its file is ready and queued.
    bool store_evidence(const std::string& user, const std::string& school, Json fields,
                        const client::Attachment& a);
    bool queue_download(const QString& evidenceId);
    AppController* app_ = nullptr;
    QString school_, state_, benchmark_, error_;
    int waiting_ = 0;
    int preparing_ = 0; // files on a worker
    QVariantList schools_, indicators_;
    QList<Item> items_;
    QVariantList benchmarks_;
};

} // namespace sitevisit::app
