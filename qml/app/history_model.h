#pragma once

#include <QObject>
#include <QQmlEngine>
#include <QQmlParserStatus>
#include <QVariantList>

namespace sitevisit::app {

class AppController;

// A school's ratings across its submitted visits, oldest first: each indicator's level at each
// visit (a timeline), and each practice's distribution of levels per visit.
class HistoryModel : public QObject, public QQmlParserStatus {
    Q_OBJECT
    QML_ELEMENT
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(QString schoolId READ schoolId WRITE setSchoolId NOTIFY changed)
    Q_PROPERTY(QVariantList visits READ visits NOTIFY changed)
    Q_PROPERTY(QVariantList indicators READ indicators NOTIFY changed)
    Q_PROPERTY(QVariantList practices READ practices NOTIFY changed)
    Q_PROPERTY(QVariantList levels READ levels NOTIFY changed)
public:
    explicit HistoryModel(QObject* parent = nullptr) : QObject(parent) {}
    void setApp(AppController* app);
    void classBegin() override;
    void componentComplete() override {}
    QString schoolId() const { return school_; }
    void setSchoolId(const QString& id);
    // Submitted (or reviewed) visits, oldest first: {visitId, date, kindLabel}
    QVariantList visits() const { return visits_; }
    // {indicatorId, code, name, practice, ratings [level or -1 (unrated) per visit]}, in rubric
    // order.
    QVariantList indicators() const { return indicators_; }
    // {practice, name, counts [[count of level 0, 1, .., max] per visit], unrated [per visit]}
    QVariantList practices() const { return practices_; }
    // The continuum: {rating, label}
    QVariantList levels() const { return levels_; }
    Q_INVOKABLE void reload();

signals:
    void changed();

private:
    AppController* app_ = nullptr;
    QString school_;
    QVariantList visits_, indicators_, practices_, levels_;
};

} // namespace sitevisit::app
