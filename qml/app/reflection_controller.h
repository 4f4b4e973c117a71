#pragma once

#include "sitevisit/core/json.h"

#include <QDate>
#include <QObject>
#include <QQmlEngine>
#include <QQmlParserStatus>

namespace sitevisit::app {

class AppController;

// The school year a day falls in, "2026-2027": the one that began on the latest July 1.
QString school_year_of(const QDate& day);

// The annual reflection on a school's plan, DESE's five questions: what worked and how we know,
// what did not and how we know, how stakeholders were involved, how district systems support
// the plan, and continue / revise / abandon (with a reason) per objective and initiative. Once
// submitted it no longer changes, and the plan can be renewed for the next year from it.
class ReflectionController : public QObject, public QQmlParserStatus {
    Q_OBJECT
    QML_ELEMENT
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(QString schoolId READ schoolId WRITE setSchoolId NOTIFY changed)
    // The school year reflected on: by default the one that began on the latest July 1.
    Q_PROPERTY(QString year READ year WRITE setYear NOTIFY changed)
    // The years to choose from: the plan's, the default and any already reflected on, newest
    // first.
    Q_PROPERTY(QStringList years READ years NOTIFY changed)
    Q_PROPERTY(QString planTitle READ planTitle NOTIFY changed)
    Q_PROPERTY(QVariantMap answers READ answers NOTIFY changed)
    Q_PROPERTY(QVariantList objectives READ objectives NOTIFY changed)
    Q_PROPERTY(bool editable READ editable NOTIFY changed)
    Q_PROPERTY(QString errorString READ errorString NOTIFY changed)
    Q_PROPERTY(QString savedAt READ savedAt NOTIFY changed)
    // The plan reflected on: the one the school works to this year.
    Q_PROPERTY(QString planId READ planId NOTIFY changed)
    Q_PROPERTY(bool submitted READ submitted NOTIFY changed)
    // What is missing before the reflection can be submitted, in words; empty: ready.
    Q_PROPERTY(QStringList gaps READ gaps NOTIFY changed)
    // The plan made by renewing this one (empty: not renewed yet), its words, and whether this
    // person may renew it now (a submitted reflection, a plan they write, not renewed yet).
    Q_PROPERTY(QString renewedPlanId READ renewedPlanId NOTIFY changed)
    Q_PROPERTY(QString renewedPlan READ renewedPlan NOTIFY changed)
    Q_PROPERTY(bool canRenew READ canRenew NOTIFY changed)
    // What the last renewal made, in words ("2 objectives, 3 initiatives and 4 benchmarks").
    Q_PROPERTY(QString renewal READ renewal NOTIFY changed)
public:
    explicit ReflectionController(QObject* parent = nullptr) : QObject(parent) {}
    // The app it reads and writes through: the engine's App singleton when QML makes it
    // (classBegin), else set by whoever made it.
    void setApp(AppController* app);
    void classBegin() override;
    void componentComplete() override {}
    QString schoolId() const { return school_; }
    void setSchoolId(const QString& id);
    QString year() const { return year_; }
    void setYear(const QString& year);
    QStringList years() const { return years_; }
    QString planTitle() const { return plan_title_; }
    QVariantMap answers() const { return answers_; }
    // {objectiveId, title, decision, reason, initiatives: [{initiativeId, title, decision,
    // reason}]}; decision "" until taken
    QVariantList objectives() const { return objectives_; }
    QString planId() const { return plan_; }
    bool submitted() const { return submitted_; }
    QStringList gaps() const { return gaps_; }
    QString renewedPlanId() const { return renewed_id_; }
    QString renewedPlan() const { return renewed_; }
    bool canRenew() const;
    QString renewal() const { return renewal_; }
    bool editable() const;
    QString errorString() const { return error_; }
    QString savedAt() const { return saved_at_; }

    // One answer (worked, worked_evidence, not_worked, not_worked_evidence, stakeholders,
    // district_systems).
    Q_INVOKABLE bool setAnswer(const QString& field, const QString& text);
    // Continue, revise or abandon an objective or an initiative, and why.
    Q_INVOKABLE bool setDecision(const QString& id, const QString& decision);
    Q_INVOKABLE bool setReason(const QString& id, const QString& reason);
    // Submits the reflection (refused with the first gap while something is missing).
    Q_INVOKABLE bool submit();
    // Makes next year's plan from the decisions, as a draft; its id, or "" with errorString.
    Q_INVOKABLE QString renew();
    Q_INVOKABLE void reload();

signals:
    void changed();

private:
    bool save(const Json& fields);
    AppController* app_ = nullptr;
    QString school_, year_, chosen_year_, plan_, plan_title_, reflection_, error_, saved_at_;
    QString renewed_id_, renewed_, renewal_;
    bool submitted_ = false;
    Json decisions_ = Json::object(), reasons_ = Json::object();
    QVariantMap answers_;
    QStringList years_, gaps_;
    QVariantList objectives_;
};

} // namespace sitevisit::app
