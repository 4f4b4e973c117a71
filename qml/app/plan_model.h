#pragma once

#include "sitevisit/core/store.h"

#include <QObject>
#include <QQmlEngine>
#include <QQmlParserStatus>
#include <QVariantList>

namespace sitevisit::app {

class AppController;

// One benchmark as the screen shows it: measure, unit, direction, status (key), statusLabel,
// reason, baseline, target, baselineDay, dueDay, readings [{day, date, value}] by date, and
// history [{day, date, status, statusLabel}]: the derived status as it stood on each reading's
// date (the readings up to that date, that day as today), so a page shows when it went off track.
QVariantMap benchmark_item(const Store& store, const Row& benchmark, std::int64_t today);

// A school's plan at a glance, in the order of the four questions: the goal (Q1), objectives
// with their initiatives (Q2), benchmarks with derived status and trajectory (Q3).
class PlanModel : public QObject, public QQmlParserStatus {
    Q_OBJECT
    QML_ELEMENT
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(QString schoolId READ schoolId WRITE setSchoolId NOTIFY changed)
    Q_PROPERTY(QString planTitle READ planTitle NOTIFY changed)
    Q_PROPERTY(QString years READ years NOTIFY changed)
    Q_PROPERTY(QString goal READ goal NOTIFY changed)
    Q_PROPERTY(QVariantList objectives READ objectives NOTIFY changed)
    Q_PROPERTY(QVariantList benchmarks READ benchmarks NOTIFY changed)
    Q_PROPERTY(bool canRecordReading READ canRecordReading NOTIFY changed)
    // Monitoring meetings (the school's principal, a receiver): the teams one can be of
    // ({value, label}), the meetings recorded, latest first ({date, team, benchmarks (count),
    // notes (count)}), and why the last recording was refused.
    Q_PROPERTY(bool canRecordMeeting READ canRecordMeeting NOTIFY changed)
    Q_PROPERTY(QVariantList meetingTeams READ meetingTeams CONSTANT)
    Q_PROPERTY(QVariantList meetings READ meetings NOTIFY changed)
    Q_PROPERTY(QString errorString READ errorString NOTIFY changed)
    // The plan chosen; empty: the plan the school works to this year (plan_in_effect).
    Q_PROPERTY(QString planId READ planId WRITE setPlanId NOTIFY changed)
    // The plan shown (the chosen one, or the one in effect); empty: the school has none.
    Q_PROPERTY(QString shownPlanId READ shownPlanId NOTIFY changed)
    // "draft", "submitted", or "" for a plan made before drafts.
    Q_PROPERTY(QString planStatus READ planStatus NOTIFY changed)
    // Every plan of the school, newest first: {planId, title, years, status, label}
    Q_PROPERTY(QVariantList plans READ plans NOTIFY changed)
    // May this person write the school's plan (its principal, its receiver, an admin)?
    Q_PROPERTY(bool canWritePlan READ canWritePlan NOTIFY changed)
    // Who may own a next step here (active people who can see the school): {id, name}
    Q_PROPERTY(QVariantList owners READ owners NOTIFY changed)
public:
    explicit PlanModel(QObject* parent = nullptr) : QObject(parent) {}
    void setApp(AppController* app);
    void classBegin() override;
    void componentComplete() override {}
    QString schoolId() const { return school_; }
    void setSchoolId(const QString& id);
    QString planTitle() const { return plan_title_; }
    QString years() const { return years_; } // "2026-2027 to 2028-2029"
    QString goal() const { return goal_; }
    // In plan order: {objectiveId, title, practice, practiceName, initiatives [{initiativeId,
    // title, description, owner, start, end, status, statusLabel, benchmarkIds}]}
    QVariantList objectives() const { return objectives_; }
    // benchmark_item()s in plan order, each with objective (title) and objectiveFirst.
    QVariantList benchmarks() const { return benchmarks_; }
    // May this user record readings here (a principal or receiver of the school)?
    bool canRecordReading() const;
    bool canRecordMeeting() const;
    QVariantList meetingTeams() const;
    QVariantList meetings() const { return meetings_; }
    QString errorString() const { return error_; }
    QString planId() const { return chosen_; }
    void setPlanId(const QString& id);
    QString shownPlanId() const { return shown_; }
    QString planStatus() const { return status_; }
    QVariantList plans() const { return plans_; }
    bool canWritePlan() const;
    QVariantList owners() const { return owners_; }
    // A monitoring meeting on `date` (YYYY-MM-DD) of `team`, reviewing these benchmarks with a
    // note each (benchmark id -> text; empty notes are left out).
    // With the next steps the meeting decided, each {title, owner (a user id), due
    // (YYYY-MM-DD), benchmark (optional id)}: the steps and the meeting are stored together,
    // or nothing is.
    Q_INVOKABLE bool recordMeeting(const QString& date, const QString& team,
                                   const QStringList& benchmarkIds, const QVariantMap& notes,
                                   const QVariantList& steps = {});
    Q_INVOKABLE void reload();

signals:
    void changed();

private:
    AppController* app_ = nullptr;
    QString school_, plan_title_, years_, goal_, error_, chosen_, shown_, status_;
    QVariantList objectives_, benchmarks_, meetings_, plans_, owners_;
};

} // namespace sitevisit::app
