// Comments where visits, ratings and next steps are shown, in the real scene offscreen on a
// store synced from the real server: the lead comments on her draft visit and on a rating from
// the visit page, the principal on a next step from the school page, and nothing of the draft
// reaches the school before it is submitted. Someone core does not let comment sees no box.
#include "app_controller.h"
#include "app_startup.h"
#include "comments_model.h"
#include "harness.h"
#include "qt_wait.h"

#include <QDate>
#include <QPointer>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <gtest/gtest.h>

using namespace sitevisit;
using namespace sitevisit::e2e;
using sitevisit::testing::wait_for;

namespace {

// Delegates live in the visual tree (childItems), not always in the QObject tree.
QQuickItem* find_item(QQuickItem* item, const QString& name, bool visible_only = true) {
    if (!item) return nullptr;
    if (item->objectName() == name && (!visible_only || item->isVisible())) return item;
    for (QQuickItem* child : item->childItems())
        if (QQuickItem* found = find_item(child, name, visible_only)) return found;
    return nullptr;
}

QQuickItem* root_of(QQuickWindow* window) {
    return window->contentItem()->parentItem() ? window->contentItem()->parentItem()
                                               : window->contentItem();
}

// Waits for a visible item named `name` under `in` (the whole window when null).
QQuickItem* find(QQuickWindow* window, const QString& name, QQuickItem* in = nullptr) {
    QQuickItem* found = nullptr;
    wait_for([&] { return (found = find_item(in ? in : root_of(window), name)) != nullptr; }, 5000);
    if (!found) ADD_FAILURE() << "no visible item named " << name.toStdString();
    return found;
}

void click(QObject* button) {
    if (button) QMetaObject::invokeMethod(button, "clicked");
}

// A checkable button, as a tap flips it.
void flip(QObject* button) {
    if (button) QMetaObject::invokeMethod(button, "toggle");
}

bool sign_in(ServerProcess& server, app::AppController& a, const char* email, const char* pw) {
    a.signIn(QStringLiteral("http://127.0.0.1:%1").arg(server.port()), email, pw);
    return wait_for(
        [&] { return !a.busy() && a.syncState() == client::SyncEngine::State::UpToDate; });
}

bool synced(app::AppController& a) {
    a.syncNow();
    return wait_for([&] {
        return a.syncState() == client::SyncEngine::State::UpToDate && a.pendingChanges() == 0;
    });
}

// The comments on `target` on this device, as "entity: body".
QStringList comments_on(app::AppController& a, const std::string& target) {
    QStringList out;
    if (auto rows = a.store().list("comment", "target", target))
        for (const auto& r : *rows)
            out << QString::fromStdString(r.fields.value("target_entity", "") + ": " +
                                          r.fields.value("body", ""));
    return out;
}

// Types `body` into the comment box under `view` and adds it.
void add_comment(QQuickWindow* window, QQuickItem* view, const QString& body) {
    QQuickItem* box = find(window, "commentBox", view);
    ASSERT_TRUE(box);
    box->setProperty("text", body);
    click(find(window, "addCommentButton", view));
}

} // namespace

TEST(Comments, ShownAndAddedOnTheVisitItsRatingsAndNextStepsByThoseWhoMay) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    const auto dir = server.data().parent_path();
    app::AppController tablet(std::move(Store::open({(dir / "tablet.db").string()})).value());
    QQmlApplicationEngine engine;
    auto* window = app::load_main_qml(
        engine, tablet,
        {{"defaultServer", QStringLiteral("http://127.0.0.1:%1").arg(server.port())}});
    ASSERT_TRUE(window);
    ASSERT_TRUE(sign_in(server, tablet, "lead@demo.sitevisit", "lead-demo-2026"));
    const QString lincoln = tablet.suggestedSchool();
    const std::string lena = tablet.user()->id;

    // The lead's draft visit at Lincoln, on the visit page.
    auto made = tablet.store().put(
        *tablet.user(),
        {"visit",
         "",
         lincoln.toStdString(),
         {{"kind", "monitoring"},
          {"rubric", "msv-2026-2027-elementary"},
          {"start_date", QDate::currentDate().toString(Qt::ISODate).toStdString()}}});
    ASSERT_TRUE(made.ok());
    const std::string visit = made->id;
    QMetaObject::invokeMethod(window, "showPage", Q_ARG(QVariant, "visit"),
                              Q_ARG(QVariant, QString::fromStdString(visit)));
    QQuickItem* page = find(window, "visitPage");
    ASSERT_TRUE(page);

    // An indicator not rated yet has no observation, so nothing to comment on.
    // Guarded: a delegate made again (not changed in place) would leave these dangling.
    QPointer<QQuickItem> toggle;
    ASSERT_TRUE(wait_for(
        [&] { return (toggle = find_item(page, "observationComments_1.1", false)) != nullptr; }));
    EXPECT_FALSE(toggle->isVisible());

    // Rated: the rating's comments open under it, and the lead adds one.
    click(find(window, "rate-1.1-2", page));
    ASSERT_TRUE(wait_for([&] { return toggle && toggle->isVisible(); }));
    EXPECT_EQ(toggle->property("text").toString(), "Comments (0)");
    QPointer<QQuickItem> view = find_item(page, "observationCommentsView_1.1", false);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->property("item").value<QObject*>(), nullptr) << "made only when asked";
    flip(toggle);
    ASSERT_TRUE(wait_for([&] { return view->property("item").value<QObject*>() != nullptr; }));
    add_comment(window, view, "Agendas seen in two of three meetings; ask for the third.");
    std::string observation;
    if (auto obs = tablet.store().list("observation", "visit", visit); obs && !obs->empty())
        observation = obs->front().id;
    ASSERT_FALSE(observation.empty());
    EXPECT_EQ(
        comments_on(tablet, observation),
        QStringList{"observation: Agendas seen in two of three meetings; ask for the third."});
    // The card is changed in place: the comments stay open with the new one in them.
    ASSERT_TRUE(toggle && view);
    EXPECT_TRUE(toggle->property("checked").toBool());
    EXPECT_EQ(find(window, "commentsHeading", view)->property("text").toString(), "Comments (1)");
    flip(toggle);
    EXPECT_EQ(toggle->property("text").toString(), "Comments (1)");

    // The whole visit's comments, with its summary.
    QMetaObject::invokeMethod(page, "showSummary");
    QQuickItem* on_visit = find(window, "visitComments", page);
    ASSERT_TRUE(on_visit);
    add_comment(window, on_visit, "Thank you for the time with the leadership team.");
    EXPECT_EQ(comments_on(tablet, visit),
              QStringList{"visit: Thank you for the time with the leadership team."});
    EXPECT_EQ(find(window, "commentsHeading", on_visit)->property("text").toString(),
              "Comments on the visit (1)");
    ASSERT_TRUE(synced(tablet)) << tablet.syncMessage().toStdString();
    Json leads = Json::parse(server.admin({"export", "--user", "lead@demo.sitevisit"}).out)["rows"];
    EXPECT_EQ(leads["comment"].size(), 2u);

    // The principal signs in on the tablet: the draft's comments are not hers to see yet.
    tablet.signOut();
    ASSERT_TRUE(sign_in(server, tablet, "principal@demo.sitevisit", "principal-demo-2026"));
    EXPECT_TRUE(comments_on(tablet, visit).isEmpty());
    EXPECT_TRUE(comments_on(tablet, observation).isEmpty());
    Json hers =
        Json::parse(server.admin({"export", "--user", "principal@demo.sitevisit"}).out)["rows"];
    if (hers.contains("comment"))
        for (auto it = hers["comment"].begin(); it != hers["comment"].end(); ++it) {
            const std::string about = it.value()["fields"].value("target", "");
            EXPECT_TRUE(about != visit && about != observation)
                << "the draft's comment " << it.key() << " reached the principal";
        }

    // She comments on a next step of the school from its page.
    std::string step;
    if (auto steps = tablet.store().list("next_step", "school", lincoln.toStdString()))
        for (const auto& s : *steps)
            if (s.fields.value("title", "") == "Share the visit's findings with all staff")
                step = s.id;
    ASSERT_FALSE(step.empty());
    QMetaObject::invokeMethod(window, "showPage", Q_ARG(QVariant, "schoolNext"),
                              Q_ARG(QVariant, lincoln));
    QQuickItem* row = find(window, QString::fromStdString("nextStep_" + step));
    ASSERT_TRUE(row);
    QPointer<QQuickItem> step_toggle = find(window, "stepComments", row);
    ASSERT_TRUE(step_toggle);
    EXPECT_EQ(step_toggle->property("text").toString(), "Comments (0)");
    flip(step_toggle);
    QPointer<QQuickItem> step_view = find(window, "stepCommentsView", row);
    ASSERT_TRUE(step_view);
    add_comment(window, step_view, "Planned for the staff meeting on the 12th.");
    EXPECT_EQ(comments_on(tablet, step),
              QStringList{"next_step: Planned for the staff meeting on the 12th."});
    ASSERT_TRUE(step_toggle && step_view) << "the step's card was made again";
    EXPECT_TRUE(step_toggle->property("checked").toBool()) << "the step's comments stay open";
    EXPECT_EQ(find(window, "commentsHeading", step_view)->property("text").toString(),
              "Comments (1)");
    ASSERT_TRUE(synced(tablet)) << tablet.syncMessage().toStdString();
    leads = Json::parse(server.admin({"export", "--user", "lead@demo.sitevisit"}).out)["rows"];
    EXPECT_EQ(leads["comment"].size(), 3u) << "the principal's comment reached the lead";

    // A draft of the lead's team that this device holds (as an older server might have sent
    // it): the principal reads it, and core lets only the visit's team comment, so no box.
    const std::string other = "0190a000-0000-7000-8000-00000000d1a0",
                      other_obs = "0190a000-0000-7000-8000-00000000d1a1";
    Change v{"0190a000-0000-7000-8000-00000000d1a2",
             "visit",
             other,
             lincoln.toStdString(),
             ChangeKind::Upsert,
             {{"kind", "monitoring"},
              {"rubric", "msv-2026-2027-elementary"},
              {"start_date", "2026-11-02"},
              {"status", "draft"},
              {"team", {lena}}},
             "",
             0,
             1};
    Change o{"0190a000-0000-7000-8000-00000000d1a3",
             "observation",
             other_obs,
             lincoln.toStdString(),
             ChangeKind::Upsert,
             {{"visit", other}, {"indicator", "msv-2026-2027-elementary/1.1"}, {"rating", 1}},
             "",
             0,
             2};
    v.hlc = o.hlc = tablet.store().last_hlc().to_string();
    v.seq = 1000000;
    o.seq = 1000001;
    ASSERT_TRUE(tablet.store().apply_remote({v, o}, tablet.store().cursor()).ok());
    app::CommentsModel model;
    model.setApp(&tablet);
    model.setTargetEntity("observation");
    model.setTarget(QString::fromStdString(other_obs));
    EXPECT_FALSE(model.canComment());
    EXPECT_FALSE(model.add("Hello"));
    EXPECT_EQ(model.errorString(), "a draft visit is seen only by its team");
    QMetaObject::invokeMethod(window, "showPage", Q_ARG(QVariant, "visit"),
                              Q_ARG(QVariant, QString::fromStdString(other)));
    page = find(window, "visitPage");
    ASSERT_TRUE(page);
    QQuickItem* theirs = find(window, "observationComments_1.1", page);
    ASSERT_TRUE(theirs);
    flip(theirs);
    QQuickItem* their_view = find(window, "observationCommentsView_1.1", page);
    ASSERT_TRUE(their_view);
    ASSERT_TRUE(find(window, "commentsHeading", their_view));
    EXPECT_EQ(find_item(their_view, "commentBox"), nullptr) << "a box she may not use";
    QMetaObject::invokeMethod(page, "showSummary");
    QQuickItem* their_visit = find(window, "visitComments", page);
    ASSERT_TRUE(their_visit);
    EXPECT_EQ(find_item(their_visit, "commentBox"), nullptr) << "a box she may not use";
}
