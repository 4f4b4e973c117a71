#pragma once

#include <QAbstractListModel>
#include <QObject>
#include <QQmlEngine>
#include <QQmlParserStatus>

namespace sitevisit::app {

class AppController;

// One school's page: its plan's benchmarks with derived status, and its visits; or a
// district's own plan and benchmarks, when the id is a district's.
class SchoolController : public QObject, public QQmlParserStatus {
    Q_OBJECT
    QML_ELEMENT
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(QString schoolId READ schoolId WRITE setSchoolId NOTIFY changed)
    Q_PROPERTY(QString name READ name NOTIFY changed)
    Q_PROPERTY(QString designation READ designation NOTIFY changed)
    Q_PROPERTY(QVariantList benchmarks READ benchmarks NOTIFY changed)
    Q_PROPERTY(QVariantList visits READ visits NOTIFY changed)
    Q_PROPERTY(bool canStartVisit READ canStartVisit NOTIFY changed)
    // The id names a district: its own plan, benchmarks and next steps, without visits.
    Q_PROPERTY(bool districtLevel READ districtLevel NOTIFY changed)
public:
    explicit SchoolController(QObject* parent = nullptr) : QObject(parent) {}
    // The app it reads and writes through: the engine's App singleton when QML makes it
    // (classBegin), else set by whoever made it.
    void setApp(AppController* app);
    void classBegin() override;
    void componentComplete() override {}
    QString schoolId() const { return school_; }
    void setSchoolId(const QString& id);
    QString name() const { return name_; }
    QString designation() const { return designation_; }
    bool districtLevel() const { return district_level_; }
    // Each: measure, unit, status (key), statusLabel, reason, baseline, target, readings [{day,
    // value}], objective (title, "Objective 2 · Practice 1"), objectiveFirst (the first of its
    // objective). In plan order: objective by objective.
    QVariantList benchmarks() const { return benchmarks_; }
    // Each: visitId, kind, kindLabel, date, status, statusLabel; newest first.
    QVariantList visits() const { return visits_; }
    // The kinds of visit, to choose from: {kind, label}
    Q_PROPERTY(QVariantList visitKinds READ visitKinds CONSTANT)
    QVariantList visitKinds() const;
    bool canStartVisit() const;
    // A new draft visit here with this user on its team, of a kind (default monitoring) on a
    // date (default today; a later date plans it); its id, or empty with errorString.
    Q_INVOKABLE QString startVisit(const QString& kind = QString(),
                                   const QString& date = QString());
    Q_INVOKABLE QString errorString() const { return error_; }
    Q_INVOKABLE void reload();

signals:
    void changed();

private:
    AppController* app_ = nullptr;
    QString school_, name_, designation_, error_;
    bool district_level_ = false;
    QVariantList benchmarks_, visits_;
};

} // namespace sitevisit::app
