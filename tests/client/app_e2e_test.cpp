// The app end to end: the real QML scene offscreen, the real server. Sign in as the demo lead
// through the sign-in page, lose the server, start a visit and rate indicators by pressing the
// rating buttons, bring the server back, and find the ratings on the server.
#include "harness.h"
#include "qt_wait.h"

#include "app_controller.h"

#include <QDate>
#include <QEventLoop>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>

#include <gtest/gtest.h>

#include <iostream>

Q_IMPORT_QML_PLUGIN(SiteVisitPlugin)

using namespace sitevisit;
using namespace sitevisit::e2e;
using sitevisit::testing::wait_for;

namespace {


// Delegates live in the visual tree (childItems), not always in the QObject tree.
QQuickItem* find_item(QQuickItem* item, const QString& name) {
    if (item->objectName() == name && item->isVisible()) return item;
    for (QQuickItem* child : item->childItems())
        if (QQuickItem* found = find_item(child, name)) return found;
    return nullptr;
}

QObject* find(QQuickWindow* window, const QString& name) {
    QObject* found = nullptr;
    wait_for([&] { return (found = find_item(window->contentItem(), name)) != nullptr; }, 5000);
    if (!found) ADD_FAILURE() << "no item named " << name.toStdString();
    return found;
}

void click(QObject* button) {
    if (button) QMetaObject::invokeMethod(button, "clicked");
}

} // namespace

TEST(AppEndToEnd, RatingsMadeWhileTheServerIsAwayReachItWhenItReturns) {
    ServerProcess server;
    ASSERT_EQ(server.admin({"demo"}).code, 0);
    server.start();
    Json rows = Json::parse(server.admin({"export", "--user", "admin@demo.sitevisit"}).out)["rows"];
    std::string lincoln;
    for (auto it = rows["school"].begin(); it != rows["school"].end(); ++it)
        if (it.value()["fields"]["code"] == "00350123") lincoln = it.key();

    auto store = std::move(Store::open({(server.data().parent_path() / "tablet.db").string()})).value();
    app::AppController controller(std::move(store));
    qmlRegisterSingletonInstance("SiteVisit", 1, 0, "App", &controller);
    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral(":/"));
    engine.setInitialProperties({{"defaultServer", QStringLiteral("http://127.0.0.1:%1").arg(server.port())}});
    engine.load(QUrl(QStringLiteral("qrc:/SiteVisit/Main.qml")));
    ASSERT_FALSE(engine.rootObjects().isEmpty());
    auto* window = qobject_cast<QQuickWindow*>(engine.rootObjects().first());
    ASSERT_TRUE(window);

    // Sign in through the page.
    find(window, "emailField")->setProperty("text", "lead@demo.sitevisit");
    find(window, "passwordField")->setProperty("text", "lead-demo-2026");
    click(find(window, "signInButton"));
    ASSERT_TRUE(wait_for([&] { return controller.signedIn() && controller.syncState() == "upToDate"; }))
        << controller.signInError().toStdString() << controller.syncMessage().toStdString();
    ASSERT_TRUE(find(window, "homePage"));
    wait_for([] { return false; }, 300); // let the page settle

    // The building has no network.
    server.stop();
    QMetaObject::invokeMethod(window, "showPage", Q_ARG(QVariant, "school"), Q_ARG(QVariant, QString::fromStdString(lincoln)));
    click(find(window, "startVisitButton"));
    ASSERT_TRUE(find(window, "visitPage"));
    click(find(window, "rate-1.1-2"));
    click(find(window, "rate-1.2-3"));
    click(find(window, "rate-1.3-1"));
    ASSERT_TRUE(wait_for([&] { return controller.pendingChanges() == 4; })) << controller.pendingChanges(); // visit + 3
    controller.syncNow();
    ASSERT_TRUE(wait_for([&] { return controller.syncState() == "offline"; }));
    EXPECT_NE(controller.syncMessage().toStdString().find("saved on this device"), std::string::npos) << controller.syncMessage().toStdString();

    // Back in range.
    server.start();
    controller.syncNow();
    ASSERT_TRUE(wait_for([&] { return controller.syncState() == "upToDate" && controller.pendingChanges() == 0; }))
        << controller.syncMessage().toStdString();
    Json server_rows = Json::parse(server.admin({"export", "--user", "lead@demo.sitevisit"}).out)["rows"];
    std::map<std::string, int> ratings;
    for (auto it = server_rows["observation"].begin(); it != server_rows["observation"].end(); ++it) {
        const Json& f = it.value()["fields"];
        auto visit = server_rows["visit"][f["visit"].get<std::string>()];
        if (visit["fields"].value("start_date", "") != QDate::currentDate().toString(Qt::ISODate).toStdString()) continue;
        if (visit["school"] == lincoln && f.contains("rating")) ratings[f["indicator"]] = f["rating"];
    }
    EXPECT_EQ(ratings["msv-2026-2027-elementary/1.1"], 2);
    EXPECT_EQ(ratings["msv-2026-2027-elementary/1.2"], 3);
    EXPECT_EQ(ratings["msv-2026-2027-elementary/1.3"], 1);
}
