#pragma once

#include "sitevisit/core/json.h"

#include <QObject>
#include <QQmlEngine>
#include <QQmlParserStatus>
#include <QVariantList>
#include <QVariantMap>

namespace sitevisit::app {

class AppController;

// A team visit on one member's device: who is on the team and whether each is done, this
// person's own ratings (withheld from the others until they mark them done), the raters side by
// side per indicator once they can be seen, the visit's final rating (the observation's, set by
// the lead) and the calibration figures.
class TeamController : public QObject, public QQmlParserStatus {
    Q_OBJECT
    QML_ELEMENT
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(QString visitId READ visitId WRITE setVisitId NOTIFY changed)
    // {userId, name, done, me, rated (indicators rated, as far as this device sees)}
    Q_PROPERTY(QVariantList members READ members NOTIFY changed)
    // Two or more people on the team: ratings are each rater's own until compared.
    Q_PROPERTY(bool teamVisit READ teamVisit NOTIFY changed)
    // The signed-in person is on the team, and the visit is still a draft.
    Q_PROPERTY(bool canRate READ canRate NOTIFY changed)
    Q_PROPERTY(bool myDone READ myDone NOTIFY changed)
    Q_PROPERTY(int myRated READ myRated NOTIFY changed)
    // Active Assistance Leads whose caseload covers the school and who are not on the team:
    // {userId, name}.
    Q_PROPERTY(QVariantList colleagues READ colleagues NOTIFY changed)
    // Per indicator of the visit's rubric, in order: {indicatorId, code, name, practice, mine,
    // levels (one per member, in members' order; -1 unrated or not yet shown), final}.
    Q_PROPERTY(QVariantList comparison READ comparison NOTIFY changed)
    // {pairs, exact, adjacent, kappa}; a figure without a value is undefined.
    Q_PROPERTY(QVariantMap calibration READ calibration NOTIFY changed)
    // Each pair of the team's members over every visit on this device where both rated:
    // {names, visits, from, to, pairs, exact, adjacent, kappa (undefined where it is)}.
    Q_PROPERTY(QVariantList pairsOverTime READ pairsOverTime NOTIFY changed)
    Q_PROPERTY(QString errorString READ errorString NOTIFY changed)
public:
    explicit TeamController(QObject* parent = nullptr) : QObject(parent) {}
    void setApp(AppController* app);
    void classBegin() override;
    void componentComplete() override {}
    QString visitId() const { return visit_; }
    void setVisitId(const QString& id);
    QVariantList members() const { return members_; }
    bool teamVisit() const { return members_.size() > 1; }
    bool canRate() const { return can_rate_; }
    bool myDone() const { return my_done_; }
    int myRated() const { return my_rated_; }
    QVariantList colleagues() const { return colleagues_; }
    QVariantList comparison() const { return comparison_; }
    QVariantMap calibration() const { return calibration_; }
    QVariantList pairsOverTime() const { return pairs_over_time_; }
    QString errorString() const { return error_; }

    Q_INVOKABLE bool addMember(const QString& userId);
    Q_INVOKABLE bool removeMember(const QString& userId);
    // This person's own rating (0..3) of an indicator.
    Q_INVOKABLE bool rate(const QString& indicatorId, int level);
    // Marks this person's ratings done: final, and shown to the team.
    Q_INVOKABLE bool markDone();
    // The visit's own rating of an indicator (the observation's), -1 clears it.
    Q_INVOKABLE bool setFinal(const QString& indicatorId, int level);
    Q_INVOKABLE void reload();

signals:
    void changed();

private:
    bool put(const std::string& entity, const std::string& id, Json fields);
    bool set_team(const std::vector<std::string>& team);
    AppController* app_ = nullptr;
    QString visit_, error_;
    std::vector<std::string> team_;
    bool can_rate_ = false, my_done_ = false;
    int my_rated_ = 0;
    QVariantList members_, colleagues_, comparison_, pairs_over_time_;
    QVariantMap calibration_;
};

} // namespace sitevisit::app
