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

// The annual reflection on a school's plan: what worked and how we know, what did not and how
// we know, how stakeholders were involved, and continue / revise / abandon per objective.
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
    QVariantList objectives() const { return objectives_; } // {objectiveId, title, decision}
    bool editable() const;
    QString errorString() const { return error_; }
    QString savedAt() const { return saved_at_; }

    // One answer (worked, worked_evidence, not_worked, not_worked_evidence, stakeholders).
    Q_INVOKABLE bool setAnswer(const QString& field, const QString& text);
    Q_INVOKABLE bool setDecision(const QString& objectiveId, const QString& decision);
    Q_INVOKABLE void reload();

signals:
    void changed();

private:
    bool save(const Json& fields);
    AppController* app_ = nullptr;
    QString school_, year_, chosen_year_, plan_, plan_title_, reflection_, error_, saved_at_;
    QVariantMap answers_;
    QStringList years_;
    QVariantList objectives_;
};

} // namespace sitevisit::app
