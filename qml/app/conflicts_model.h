#pragma once

#include "sitevisit/core/json.h"

#include <QAbstractListModel>
#include <QQmlEngine>
#include <QQmlParserStatus>

namespace sitevisit::app {

class AppController;

// Open conflicts: both values, who wrote each and when; choosing one resolves it.
class ConflictsModel : public QAbstractListModel, public QQmlParserStatus {
    Q_OBJECT
    QML_ELEMENT
    Q_INTERFACES(QQmlParserStatus)
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY countChanged)
public:
    enum Roles {
        ConflictIdRole = Qt::UserRole + 1,
        WhatRole,
        KeptValueRole,
        KeptByRole,
        KeptWhenRole,
        OtherValueRole,
        OtherByRole,
        OtherWhenRole,
        EditTextRole,
        FieldHintRole
    };
    explicit ConflictsModel(QObject* parent = nullptr) : QAbstractListModel(parent) {}
    int rowCount(const QModelIndex& parent = {}) const override {
        return parent.isValid() ? 0 : int(items_.size());
    }
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    // The app it reads and writes through: the engine's App singleton when QML makes it
    // (classBegin), else set by whoever made it.
    void setApp(AppController* app);
    void classBegin() override;
    void componentComplete() override {}
    QString errorString() const { return error_; }

    // Keeps the value that won (keepWinner) or the other one, and closes the conflict.
    Q_INVOKABLE bool resolve(const QString& conflictId, bool keepWinner);
    // Settles it with a third value typed by the person ("2" for a rating, any text for a note);
    // a value the field cannot take is refused with the reason in errorString.
    Q_INVOKABLE bool resolveWith(const QString& conflictId, const QString& text);
    Q_INVOKABLE void reload();

signals:
    void countChanged();

private:
    struct Item {
        QString id, what, kept, kept_by, kept_when, other, other_by, other_when, edit_text, hint;
    };
    bool settle(const QString& conflictId, const Json& value);
    AppController* app_ = nullptr;
    QList<Item> items_;
    QString error_;
};

} // namespace sitevisit::app
