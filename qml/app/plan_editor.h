#pragma once

#include "sitevisit/core/json.h"

#include <QObject>
#include <QQmlEngine>
#include <QQmlParserStatus>
#include <QVariantList>
#include <QVariantMap>

namespace sitevisit::app {

class AppController;

// Writes a school's plan on the device, offline: the plan (title, kind, school years, goal),
// its objectives (each tied to one of the four practices), their initiatives and each
// initiative's benchmarks. A plan is a draft until submitted; after that it can still change,
// and every change leaves a revision: who changed what, and when.
class PlanEditor : public QObject, public QQmlParserStatus {
    Q_OBJECT
    QML_ELEMENT
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(QString schoolId READ schoolId WRITE setSchoolId NOTIFY changed)
    // The plan written; empty: a new plan for the school (savePlan makes it).
    Q_PROPERTY(QString planId READ planId WRITE setPlanId NOTIFY changed)
    // {title, kind, firstYear, lastYear, goal, status ("draft" | "submitted" | "" for a plan
    // made before drafts), statusLabel, previousTitle, previousYears}
    Q_PROPERTY(QVariantMap plan READ plan NOTIFY changed)
    // [{objectiveId, title, practice, practiceName, position, initiatives: [{initiativeId,
    // title, description, owner, start, end, status, statusLabel, benchmarks: [{benchmarkId,
    // measure, type, typeLabel, audience, unit, baseline, baselineDate, target, due, cadence,
    // cadenceLabel, direction, summary}]}]}], in plan order
    Q_PROPERTY(QVariantList objectives READ objectives NOTIFY changed)
    // May this person write this school's plan (its principal, its receiver, an admin)?
    Q_PROPERTY(bool editable READ editable NOTIFY changed)
    Q_PROPERTY(bool draft READ draft NOTIFY changed)
    // What the plan lacks before it is submitted, in words; empty: ready.
    Q_PROPERTY(QStringList submitGaps READ submitGaps NOTIFY changed)
    // The submitted plan's changes, newest first: {at ("2026-12-02 14:05"), by (a name),
    // action, actionLabel, entityLabel, title (the row's title or measure), fields (the fields
    // changed, in words: "target, due")}
    Q_PROPERTY(QVariantList revisions READ revisions NOTIFY changed)
    Q_PROPERTY(QString errorString READ errorString NOTIFY changed)
    // Choices for the forms, each a list of {value, label}: kind, practice, initiativeStatus,
    // benchmarkType, audience, cadence, direction, and years (school years around today).
    Q_PROPERTY(QVariantMap choices READ choices NOTIFY changed)
public:
    explicit PlanEditor(QObject* parent = nullptr) : QObject(parent) {}
    void setApp(AppController* app);
    void classBegin() override;
    void componentComplete() override {}
    QString schoolId() const { return school_; }
    void setSchoolId(const QString& id);
    QString planId() const { return plan_; }
    void setPlanId(const QString& id);
    QVariantMap plan() const { return plan_fields_; }
    QVariantList objectives() const { return objectives_; }
    bool editable() const;
    bool draft() const { return plan_fields_.value("status").toString() == "draft"; }
    QStringList submitGaps() const { return gaps_; }
    QVariantList revisions() const { return revisions_; }
    QString errorString() const { return error_; }
    QVariantMap choices() const { return choices_; }

    // Each takes the form's fields by their names in the data (title, practice, first_year,
    // start, baseline_date, ...); empty text clears a field. False with errorString on a
    // refusal, nothing stored then.
    // The plan: makes it when planId is empty (a draft), else changes it.
    Q_INVOKABLE bool savePlan(const QVariantMap& fields);
    // id empty: a new objective of the plan.
    Q_INVOKABLE bool saveObjective(const QString& id, const QVariantMap& fields);
    // id empty: a new initiative of `objectiveId`.
    Q_INVOKABLE bool saveInitiative(const QString& id, const QString& objectiveId,
                                    const QVariantMap& fields);
    // id empty: a new benchmark of `initiativeId`.
    Q_INVOKABLE bool saveBenchmark(const QString& id, const QString& initiativeId,
                                   const QVariantMap& fields);
    // Removes an objective, initiative or benchmark with everything under it, in one step.
    Q_INVOKABLE bool remove(const QString& entity, const QString& id);
    // How many rows remove() takes with it ("2 initiatives and 3 benchmarks"); empty: none.
    Q_INVOKABLE QString removes(const QString& entity, const QString& id) const;
    Q_INVOKABLE bool submit();
    Q_INVOKABLE void reload();

signals:
    void changed();

private:
    bool save(const QString& entity, const QString& id, const QVariantMap& fields,
              const QString& parentField, const QString& parentId);
    AppController* app_ = nullptr;
    QString school_, plan_, error_;
    QVariantMap plan_fields_, choices_;
    QVariantList objectives_, revisions_;
    QStringList gaps_;
};

} // namespace sitevisit::app
