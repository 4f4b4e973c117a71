#pragma once

#include <QAbstractListModel>
#include <QQmlEngine>
#include <QQmlParserStatus>

namespace sitevisit::app {

class AppController;

// Every benchmark of the schools on this device with its derived status, the worst first
// within each school, and how much of its evidence waits for review: a receiver's view of
// whether each plan is on track. A status filter narrows it; `summary` counts each status.
class DashboardModel : public QAbstractListModel, public QQmlParserStatus {
    Q_OBJECT
    QML_ELEMENT
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(QString statusFilter READ statusFilter WRITE setStatusFilter NOTIFY changed)
    Q_PROPERTY(QVariantList summary READ summary NOTIFY changed)
    Q_PROPERTY(int count READ rowCount NOTIFY changed)
public:
    enum Roles {
        BenchmarkIdRole = Qt::UserRole + 1,
        SchoolIdRole,
        SchoolNameRole,
        MeasureRole,
        StatusRole,
        StatusLabelRole,
        ReasonRole,
        LatestRole,
        TargetRole,
        EvidenceCountRole,
        WaitingRole
    };
    explicit DashboardModel(QObject* parent = nullptr) : QAbstractListModel(parent) {}
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
    // A status (on_track, at_risk, off_track, met, not_met, no_data) or "" for all.
    QString statusFilter() const { return filter_; }
    void setStatusFilter(const QString& status);
    // {status, label, count} for every status, in order of concern, over all benchmarks.
    QVariantList summary() const { return summary_; }
    // The name of a school in the list (sections are keyed by school id).
    Q_INVOKABLE QString schoolName(const QString& schoolId) const { return names_.value(schoolId); }
    Q_INVOKABLE void reload();

signals:
    void changed();

private:
    struct Item {
        QString benchmark, school, school_name, measure, status, status_label, reason, latest,
            target;
        int evidence = 0, waiting = 0, rank = 0;
    };
    AppController* app_ = nullptr;
    QString filter_;
    QList<Item> items_;
    QVariantList summary_;
    QHash<QString, QString> names_;
};

} // namespace sitevisit::app
