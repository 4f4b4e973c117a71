#pragma once

#include <QAbstractListModel>
#include <QDate>
#include <QQmlEngine>
#include <QQmlParserStatus>

namespace sitevisit::app {

class AppController;

// Next steps on this device: what a visit, a benchmark or the school asks someone to do by a
// day. Filtered by school, visit, indicator or benchmark (an empty filter takes every one);
// each row says whether it is overdue (today from the app's clock) and what the signed-in user
// may do with it (core's can(), never a role compared here) and how many comments it has. Every
// move goes through the store, which refuses what core's rules refuse; the refusal is
// errorString, in words. A reload that finds the same steps changes their rows in place, so a
// list keeps its delegates (and what they have open).
class NextStepsModel : public QAbstractListModel, public QQmlParserStatus {
    Q_OBJECT
    QML_ELEMENT
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(QString schoolId READ schoolId WRITE setSchoolId NOTIFY filterChanged)
    Q_PROPERTY(QString visitId READ visitId WRITE setVisitId NOTIFY filterChanged)
    Q_PROPERTY(QString indicatorId READ indicatorId WRITE setIndicatorId NOTIFY filterChanged)
    Q_PROPERTY(QString benchmarkId READ benchmarkId WRITE setBenchmarkId NOTIFY filterChanged)
    // Only steps linked to no visit (with visitId: "for the whole visit", no indicator).
    Q_PROPERTY(bool wholeVisitOnly READ wholeVisitOnly WRITE setWholeVisitOnly NOTIFY filterChanged)
    // Steps of other visits than this one that are still to do (open, in progress, returned):
    // what earlier visits asked, shown in a new one.
    Q_PROPERTY(QString earlierThan READ earlierThan WRITE setEarlierThan NOTIFY filterChanged)
    Q_PROPERTY(int count READ rowCount NOTIFY changed)
    Q_PROPERTY(int openCount READ openCount NOTIFY changed)
    Q_PROPERTY(int overdueCount READ overdueCount NOTIFY changed)
    // Whether the signed-in user may make a step here (the school, or the visit's).
    Q_PROPERTY(bool canMake READ canMake NOTIFY changed)
    // The people a step here may be given to: active users who can see the school.
    Q_PROPERTY(QVariantList owners READ owners NOTIFY changed)
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorChanged)
public:
    enum Roles {
        StepIdRole = Qt::UserRole + 1,
        TitleRole,
        DescriptionRole,
        OwnerRole,
        OwnerNameRole,
        DueDateRole,
        StatusRole,
        StatusLabelRole,
        ReturnNoteRole,
        OverdueRole,
        VisitRole,
        IndicatorRole,
        IndicatorCodeRole,
        IndicatorNameRole,
        BenchmarkRole,
        CanWorkRole,
        CanVerifyRole,
        CanEditRole,
        CommentsRole
    };
    Q_ENUM(Roles)

    explicit NextStepsModel(QObject* parent = nullptr);
    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setApp(AppController* app);
    void classBegin() override;
    void componentComplete() override {}

    QString schoolId() const { return school_; }
    void setSchoolId(const QString& id);
    QString visitId() const { return visit_; }
    void setVisitId(const QString& id);
    QString indicatorId() const { return indicator_; }
    void setIndicatorId(const QString& id);
    QString benchmarkId() const { return benchmark_; }
    void setBenchmarkId(const QString& id);
    bool wholeVisitOnly() const { return whole_visit_; }
    void setWholeVisitOnly(bool on);
    QString earlierThan() const { return earlier_than_; }
    void setEarlierThan(const QString& visit);
    int openCount() const { return open_; }
    int overdueCount() const { return overdue_; }
    bool canMake() const { return can_make_; }
    QVariantList owners() const { return owners_; }
    QString errorString() const { return error_; }

    // A new open step at the filters' school; links given empty are left out. The visit and
    // indicator default to the model's filters, so a list under an indicator makes its steps.
    Q_INVOKABLE bool make(const QString& title, const QString& description, const QString& owner,
                          const QString& dueDate, const QString& visit = {},
                          const QString& indicator = {}, const QString& benchmark = {});
    Q_INVOKABLE bool edit(const QString& stepId, const QString& title, const QString& description,
                          const QString& owner, const QString& dueDate);
    Q_INVOKABLE bool start(const QString& stepId);    // in progress
    Q_INVOKABLE bool markDone(const QString& stepId); // done
    Q_INVOKABLE bool verify(const QString& stepId);
    // Back to its owner with what is still missing (the note is required).
    Q_INVOKABLE bool sendBack(const QString& stepId, const QString& note);
    Q_INVOKABLE bool remove(const QString& stepId);
    // The step's fields for the edit dialog ({} if it is not on the device).
    Q_INVOKABLE QVariantMap step(const QString& stepId) const;
    Q_INVOKABLE void clearError();
    Q_INVOKABLE void reload();

    // The status in words ("In progress").
    static QString statusLabel(const QString& status);

signals:
    void filterChanged();
    void changed();
    void errorChanged();

private:
    struct Step {
        QString id, title, description, owner, owner_name, due, status, return_note, visit,
            indicator, indicator_code, indicator_name, benchmark;
        bool overdue = false, can_work = false, can_verify = false, can_edit = false;
        int comments = 0; // comments on the step
        bool operator==(const Step&) const = default;
    };
    bool move(const QString& stepId, const char* status, const QString& note = {});
    bool put(const QString& stepId, const std::map<std::string, QVariant>& fields);
    bool fail(const QString& message);
    QString target_school() const;

    AppController* app_ = nullptr;
    QString school_, visit_, indicator_, benchmark_, earlier_than_, error_;
    bool whole_visit_ = false;
    int open_ = 0, overdue_ = 0;
    bool can_make_ = false;
    QVariantList owners_;
    QList<Step> steps_;
};

} // namespace sitevisit::app
