#pragma once

#include <QObject>
#include <QQmlEngine>
#include <QQmlParserStatus>
#include <QUrl>
#include <QVariantList>

namespace sitevisit::app {

class AppController;

// A regional director's region on their device (every region for an admin): rolled up by
// district and by Assistance Lead (schools, benchmarks per status, visits done this quarter,
// schools visited, overdue next steps), each view saved as CSV, and the leads' caseloads
// assigned inside the region.
class RegionController : public QObject, public QQmlParserStatus {
    Q_OBJECT
    QML_ELEMENT
    Q_INTERFACES(QQmlParserStatus)
    // The signed-in person may see a region view (a regional director or an admin).
    Q_PROPERTY(bool available READ available NOTIFY changed)
    Q_PROPERTY(QString regionName READ regionName NOTIFY changed)
    // "2026 Q4 · Oct 1 to Dec 31"
    Q_PROPERTY(QString quarter READ quarter NOTIFY changed)
    // One line per district or lead: {id, name, with (names), withIds, schools, benchmarks
    // ([{status, label, count}] for the statuses with a count), visitsDone, schoolsVisited,
    // overdueSteps}.
    Q_PROPERTY(QVariantList districts READ districts NOTIFY changed)
    Q_PROPERTY(QVariantList leads READ leads NOTIFY changed)
    // The districts a caseload may be given here: {id, name}, by name.
    Q_PROPERTY(QVariantList assignable READ assignable NOTIFY changed)
    Q_PROPERTY(QString errorString READ errorString NOTIFY changed)
    Q_PROPERTY(QString message READ message NOTIFY changed)
public:
    explicit RegionController(QObject* parent = nullptr) : QObject(parent) {}
    void setApp(AppController* app);
    void classBegin() override;
    void componentComplete() override {}

    bool available() const { return available_; }
    QString regionName() const { return region_name_; }
    QString quarter() const { return quarter_; }
    QVariantList districts() const { return districts_; }
    QVariantList leads() const { return leads_; }
    QVariantList assignable() const { return assignable_; }
    QString errorString() const { return error_; }
    QString message() const { return message_; }

    // Gives the lead these districts (1 to 3); districts outside the region stay as they are.
    Q_INVOKABLE bool assignCaseload(const QString& leadId, const QStringList& districtIds);
    // The view by "districts" or by "leads" as CSV, written to `to` (a local file).
    Q_INVOKABLE bool saveCsv(const QString& by, const QUrl& to);
    // Where "Save as" starts: the documents folder and a name with the region and quarter.
    Q_INVOKABLE QUrl csvSaveUrl(const QString& by) const;
    Q_INVOKABLE void reload();

signals:
    void changed();

private:
    AppController* app_ = nullptr;
    bool available_ = false;
    QString region_name_, quarter_, quarter_key_, error_, message_;
    QVariantList districts_, leads_, assignable_;
};

} // namespace sitevisit::app
