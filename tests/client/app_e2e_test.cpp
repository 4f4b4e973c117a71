// The app end to end: the real QML scene offscreen, the real server. Sign in as the demo lead
// through the sign-in page, lose the server, start a visit and rate indicators by pressing the
// rating buttons, bring the server back, and find the ratings on the server. Then the
// lead writes strengths, adds a next step for the principal, makes the visit report with the
// server gone again (read back with pdftotext) and submits; the principal, on her
// own tablet, sees the step and marks it done; the lead verifies it on the visit page. Then the
// school's principal signs in on the same tablet, takes a photo with the camera (a test card:
// no camera here) and adds it as evidence; the server holds the photo, downscaled.
#include "app_controller.h"
#include "app_startup.h"
#include "harness.h"
#include "next_steps_model.h"
#include "pdf_text.h"
#include "qt_wait.h"
#include "sitevisit/client/device_state.h"
#include "sitevisit/core/database.h"
#include "sitevisit/platform/camera.h"

#include <QDate>
#include <QEventLoop>
#include <QImageReader>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QTest>
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
    if (!item) return nullptr;
    if (item->objectName() == name && item->isVisible()) return item;
    for (QQuickItem* child : item->childItems())
        if (QQuickItem* found = find_item(child, name)) return found;
    return nullptr;
}

QObject* find(QQuickWindow* window, const QString& name) {
    QObject* found = nullptr;
    // From the root: popups and dialogs live in the overlay, beside the content.
    QQuickItem* root = window->contentItem()->parentItem() ? window->contentItem()->parentItem()
                                                           : window->contentItem();
    wait_for([&] { return (found = find_item(root, name)) != nullptr; }, 5000);
    if (!found) ADD_FAILURE() << "no item named " << name.toStdString();
    return found;
}

// The dialog (a Popup, not an item) holding the item named `name`.
QObject* popup_of(QObject* found) {
    for (auto* item = qobject_cast<QQuickItem*>(found); item; item = item->parentItem())
        if (QByteArray(item->metaObject()->className()).contains("PopupItem"))
            return item->parent();
    ADD_FAILURE() << "not in a dialog";
    return nullptr;
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

    auto store =
        std::move(Store::open({(server.data().parent_path() / "tablet.db").string()})).value();
    app::AppController controller(std::move(store));
    controller.setCamera(platform::test_pattern_camera());
    QQmlApplicationEngine engine;
    auto* window = app::load_main_qml(
        engine, controller,
        {{"defaultServer", QStringLiteral("http://127.0.0.1:%1").arg(server.port())}});
    ASSERT_TRUE(window);

    // Sign in through the page; a mistyped password is refused and the form keeps the rest.
    find(window, "emailField")->setProperty("text", "lead@demo.sitevisit");
    find(window, "passwordField")->setProperty("text", "lead-demo-2025");
    click(find(window, "signInButton"));
    ASSERT_TRUE(
        wait_for([&] { return !controller.busy() && !controller.signInError().isEmpty(); }));
    EXPECT_FALSE(controller.signedIn());
    EXPECT_EQ(find(window, "emailField")->property("text").toString(), "lead@demo.sitevisit");
    EXPECT_FALSE(find(window, "serverField")->property("text").toString().isEmpty());
    find(window, "passwordField")->setProperty("text", "lead-demo-2026");
    click(find(window, "signInButton"));
    ASSERT_TRUE(wait_for([&] {
        return controller.signedIn() &&
               controller.syncState() == client::SyncEngine::State::UpToDate;
    })) << controller.signInError().toStdString()
        << controller.syncMessage().toStdString();
    ASSERT_TRUE(find(window, "homePage"));
    wait_for([] { return false; }, 300); // let the page settle

    // On a laptop, the keyboard alone: Down and Enter open the second school, Alt+Left goes back.
    QTest::keyClick(window, Qt::Key_Down);
    QTest::keyClick(window, Qt::Key_Return);
    ASSERT_TRUE(find(window, "schoolPage")) << "Enter opens the school in focus";
    QTest::keyClick(window, Qt::Key_Left, Qt::AltModifier);
    ASSERT_TRUE(
        wait_for([&] { return find_item(window->contentItem(), "schoolPage") == nullptr; }, 3000))
        << "Alt+Left goes back";

    // The building has no network.
    server.stop();
    QMetaObject::invokeMethod(window, "showPage", Q_ARG(QVariant, "school"),
                              Q_ARG(QVariant, QString::fromStdString(lincoln)));
    click(find(window, "startVisitButton"));
    click(find(window, "startVisitConfirmButton")); // today, a monitoring visit: it starts
    ASSERT_TRUE(find(window, "visitPage"));
    click(find(window, "rate-1.1-2"));
    click(find(window, "rate-1.2-3"));
    click(find(window, "rate-1.3-1"));
    ASSERT_TRUE(wait_for([&] { return controller.pendingChanges() == 4; }))
        << controller.pendingChanges(); // visit + 3
    controller.syncNow();
    ASSERT_TRUE(
        wait_for([&] { return controller.syncState() == client::SyncEngine::State::Offline; }));
    EXPECT_NE(controller.syncMessage().toStdString().find("saved on this device"),
              std::string::npos)
        << controller.syncMessage().toStdString();

    // Back in range.
    server.start();
    controller.syncNow();
    ASSERT_TRUE(wait_for([&] {
        return controller.syncState() == client::SyncEngine::State::UpToDate &&
               controller.pendingChanges() == 0;
    })) << controller.syncMessage().toStdString();
    Json server_rows =
        Json::parse(server.admin({"export", "--user", "lead@demo.sitevisit"}).out)["rows"];
    std::map<std::string, int> ratings;
    for (auto it = server_rows["observation"].begin(); it != server_rows["observation"].end();
         ++it) {
        const Json& f = it.value()["fields"];
        auto visit = server_rows["visit"][f["visit"].get<std::string>()];
        if (visit["fields"].value("start_date", "") !=
            QDate::currentDate().toString(Qt::ISODate).toStdString())
            continue;
        if (visit["school"] == lincoln && f.contains("rating"))
            ratings[f["indicator"]] = f["rating"];
    }
    EXPECT_EQ(ratings["msv-2026-2027-elementary/1.1"], 2);
    EXPECT_EQ(ratings["msv-2026-2027-elementary/1.2"], 3);
    EXPECT_EQ(ratings["msv-2026-2027-elementary/1.3"], 1);
    // "Last synced" is kept in the store, for the next start.
    EXPECT_FALSE(client::DeviceState(controller.store()).last_sync().value().empty());

    // Her session runs out on the server. The next rating waits; the bar asks her to sign in
    // again, and she comes back to the visit she was on with nothing lost.
    {
        auto db = std::move(Database::open((server.data() / "server.db").string())).value();
        db->exec("UPDATE sessions SET expires_ms = 0");
    }
    click(find(window, "rate-1.4-2"));
    controller.syncNow();
    ASSERT_TRUE(wait_for([&] {
        return controller.syncState() == client::SyncEngine::State::NeedsSignIn;
    })) << controller.syncMessage().toStdString();
    EXPECT_EQ(controller.pendingChanges(), 1);
    EXPECT_TRUE(controller.syncMessage().contains("1 change"))
        << controller.syncMessage().toStdString();
    click(find(window, "signInAgainButton"));
    QObject* stack = find(window, "stack");
    ASSERT_TRUE(wait_for([&] {
        return stack->property("currentItem").value<QObject*>()->objectName() == "signInPage";
    }));
    QObject* again = stack->property("currentItem").value<QObject*>();
    EXPECT_EQ(
        find_item(qobject_cast<QQuickItem*>(again), "emailField")->property("text").toString(),
        "lead@demo.sitevisit");
    find_item(qobject_cast<QQuickItem*>(again), "passwordField")
        ->setProperty("text", "lead-demo-2026");
    click(find_item(qobject_cast<QQuickItem*>(again), "signInButton"));
    ASSERT_TRUE(wait_for([&] {
        return controller.syncState() == client::SyncEngine::State::UpToDate &&
               controller.pendingChanges() == 0;
    })) << controller.signInError().toStdString()
        << controller.syncMessage().toStdString();
    ASSERT_TRUE(wait_for([&] {
        return stack->property("currentItem").value<QObject*>()->objectName() == "visitPage";
    })) << "back on the visit after signing in again";

    // Strengths for practice 1, written on the visit page and saved to the visit.
    QObject* strengths = find(window, "strengthsField");
    ASSERT_TRUE(strengths);
    strengths->setProperty("text", "Objectives posted and used in every room we saw.");
    QMetaObject::invokeMethod(strengths, "editingFinished");
    // A next step for indicator 1.1, for the principal, made in the dialog.
    auto* steps_11 = qobject_cast<QQuickItem*>(find(window, "steps_1.1"));
    ASSERT_TRUE(steps_11);
    click(find_item(steps_11, "addNextStep"));
    QObject* dialog = popup_of(find(window, "nextStepTitle"));
    ASSERT_TRUE(dialog);
    ASSERT_TRUE(wait_for([&] { return dialog->property("opened").toBool(); }));
    find(window, "nextStepTitle")
        ->setProperty("text", "Share exit-ticket results at the data meeting");
    int paula = -1;
    const QVariantList owners = dialog->property("owners").toList();
    for (int i = 0; i < owners.size(); ++i)
        if (owners[i].toMap()["name"] == "Paula Principal") paula = i;
    ASSERT_GE(paula, 0);
    find(window, "nextStepOwner")->setProperty("currentIndex", paula);
    click(find(window, "nextStepSave"));
    ASSERT_TRUE(wait_for([&] { return !dialog->property("opened").toBool(); }))
        << find(window, "nextStepError")->property("text").toString().toStdString();
    // The report, made on the tablet with the server gone, saved where Save as starts: the
    // documents folder, else home (here a home of the test's own).
    QTemporaryDir reports;
    const QByteArray home = qgetenv("HOME");
    qputenv("HOME", reports.path().toUtf8());
    struct RestoreHome {
        QByteArray value;
        ~RestoreHome() { qputenv("HOME", value); }
    } restore{home};
    server.stop();
    click(find(window, "reportButton"));
    QObject* report_message = find(window, "reportMessage");
    ASSERT_TRUE(wait_for([&] {
        return report_message->property("text").toString().startsWith(
            QStringLiteral("Report ready"));
    })) << report_message->property("text").toString().toStdString();
    QObject* save_as = window->findChild<QObject*>(QStringLiteral("saveReportDialog"));
    ASSERT_TRUE(save_as);
    ASSERT_TRUE(wait_for([&] { return save_as->property("visible").toBool(); }, 5000));
    const QString saved = QUrl(save_as->property("selectedFile").toUrl()).toLocalFile();
    EXPECT_TRUE(saved.startsWith(reports.path())) << saved.toStdString();
    QMetaObject::invokeMethod(save_as, "accept");
    ASSERT_TRUE(wait_for([&] { return QFileInfo::exists(saved); }, 5000))
        << report_message->property("text").toString().toStdString();
    const QString text = sitevisit::testing::pdf_text(saved);
    for (const char* said :
         {"Lincoln Elementary", "Objectives posted and used in every room we saw.",
          "Share exit-ticket results at the data meeting", "Paula Principal"})
        EXPECT_TRUE(text.contains(QString::fromUtf8(said)))
            << said << " in: " << text.toStdString();
    server.start();

    // Submitted, with its confirmation.
    click(find(window, "submitVisitButton"));
    QObject* confirm = popup_of(find(window, "submitConfirmText"));
    ASSERT_TRUE(confirm);
    QMetaObject::invokeMethod(confirm, "accept");
    ASSERT_TRUE(wait_for([&] {
        return controller.syncState() == client::SyncEngine::State::UpToDate &&
               controller.pendingChanges() == 0;
    })) << controller.syncMessage().toStdString();
    Json sent = Json::parse(server.admin({"export", "--user", "lead@demo.sitevisit"}).out)["rows"];
    std::string step_id, visit_id;
    for (auto it = sent["next_step"].begin(); it != sent["next_step"].end(); ++it)
        if (it.value()["fields"]["title"] == "Share exit-ticket results at the data meeting") {
            step_id = it.key();
            visit_id = it.value()["fields"].value("visit", "");
            EXPECT_EQ(it.value()["fields"]["indicator"], "msv-2026-2027-elementary/1.1");
            EXPECT_EQ(it.value()["fields"]["status"], "open");
        }
    ASSERT_FALSE(step_id.empty()) << "the next step reached the server";
    EXPECT_EQ(sent["visit"][visit_id]["fields"]["status"], "submitted");
    EXPECT_EQ(sent["visit"][visit_id]["fields"]["strengths"]["1"],
              "Objectives posted and used in every room we saw.");

    // The principal, on her own tablet, sees the step and marks it done.
    {
        app::AppController tablet(
            std::move(Store::open({(server.data().parent_path() / "principal.db").string()}))
                .value());
        tablet.signIn(QStringLiteral("http://127.0.0.1:%1").arg(server.port()),
                      "principal@demo.sitevisit", "principal-demo-2026");
        ASSERT_TRUE(wait_for([&] {
            return !tablet.busy() && tablet.syncState() == client::SyncEngine::State::UpToDate;
        })) << tablet.signInError().toStdString();
        app::NextStepsModel theirs;
        theirs.setApp(&tablet);
        theirs.setSchoolId(QString::fromStdString(lincoln));
        int row = -1;
        for (int r = 0; r < theirs.rowCount(); ++r)
            if (theirs.data(theirs.index(r), app::NextStepsModel::StepIdRole).toString() ==
                QString::fromStdString(step_id))
                row = r;
        ASSERT_GE(row, 0) << "the principal sees the step once the visit is submitted";
        EXPECT_TRUE(theirs.data(theirs.index(row), app::NextStepsModel::CanWorkRole).toBool());
        ASSERT_TRUE(theirs.markDone(QString::fromStdString(step_id)))
            << theirs.errorString().toStdString();
        tablet.syncNow();
        ASSERT_TRUE(wait_for([&] {
            return tablet.syncState() == client::SyncEngine::State::UpToDate &&
                   tablet.pendingChanges() == 0;
        })) << tablet.syncMessage().toStdString();
    }

    // The lead syncs, and verifies it under the indicator.
    controller.syncNow();
    QObject* verify_button = nullptr;
    ASSERT_TRUE(wait_for([&] {
        auto* list = qobject_cast<QQuickItem*>(find(window, "steps_1.1"));
        verify_button = list ? find_item(list, "verifyStep") : nullptr;
        return verify_button != nullptr;
    })) << "the done step offers Verify to the lead";
    click(verify_button);
    ASSERT_TRUE(wait_for([&] { return controller.pendingChanges() == 1; }));
    controller.syncNow();
    ASSERT_TRUE(wait_for([&] {
        return controller.syncState() == client::SyncEngine::State::UpToDate &&
               controller.pendingChanges() == 0;
    })) << controller.syncMessage().toStdString();
    Json verified =
        Json::parse(server.admin({"export", "--user", "lead@demo.sitevisit"}).out)["rows"];
    EXPECT_EQ(verified["next_step"][step_id]["fields"]["status"], "verified");

    // The principal of Lincoln signs in on the same tablet and photographs evidence.
    controller.signOut();
    find(window, "emailField")->setProperty("text", "principal@demo.sitevisit");
    find(window, "passwordField")->setProperty("text", "principal-demo-2026");
    click(find(window, "signInButton"));
    ASSERT_TRUE(wait_for([&] {
        return controller.signedIn() &&
               controller.syncState() == client::SyncEngine::State::UpToDate;
    })) << controller.signInError().toStdString()
        << controller.syncMessage().toStdString();
    QMetaObject::invokeMethod(window, "showPage", Q_ARG(QVariant, "evidence"),
                              Q_ARG(QVariant, QString()));
    click(find(window, "takePhotoButton"));
    QObject* shutter = find(window, "shutterButton");
    ASSERT_TRUE(shutter);
    ASSERT_TRUE(wait_for([&] { return shutter->property("enabled").toBool(); }))
        << "the preview shows frames";
    click(shutter);
    QObject* title = find(window, "evidenceTitleField");
    ASSERT_TRUE(title);
    title->setProperty("text", "Morning greeters at the east door");
    QMetaObject::invokeMethod(title, "accepted");
    // The photo is made ready off the GUI thread; the dialog closes once it is stored.
    ASSERT_TRUE(wait_for([&] { return !title->property("visible").toBool(); }))
        << "the dialog closes when the evidence is stored";
    ASSERT_TRUE(wait_for(
        [&] {
            return controller.syncState() == client::SyncEngine::State::UpToDate &&
                   controller.pendingChanges() == 0;
        },
        20000))
        << controller.syncMessage().toStdString();
    Json after =
        Json::parse(server.admin({"export", "--user", "principal@demo.sitevisit"}).out)["rows"];
    std::string sha;
    for (auto it = after["evidence"].begin(); it != after["evidence"].end(); ++it)
        if (it.value()["fields"]["title"] == "Morning greeters at the east door") {
            EXPECT_EQ(it.value()["fields"]["kind"], "photo");
            EXPECT_EQ(it.value()["fields"]["media_type"], "image/jpeg");
            EXPECT_EQ(it.value()["school"], lincoln);
            sha = it.value()["fields"]["sha256"];
        }
    ASSERT_FALSE(sha.empty()) << "the photo's evidence reached the server";
    const auto blob = server.data() / "blobs" / sha;
    ASSERT_TRUE(std::filesystem::exists(blob));
    QImageReader reader(QString::fromStdString(blob.string()));
    EXPECT_EQ(reader.size(), QSize(2048, 1365))
        << "the 3000 x 2000 photo, downscaled before upload";
}
