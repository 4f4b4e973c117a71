<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- English plural forms ("1 change", "2 changes") for the counts the app shows; every other
     text shows as written in the source. Messages are kept by hand: add one whenever a
     source text takes a count (tr("%n ...", nullptr, n) in C++, qsTr("%n ...", "", n) in QML). -->
<TS version="2.1" language="en">
<context>
    <name>DashboardPage</name>
    <message numerus="yes">
        <source>%n evidence</source>
        <translation>
            <numerusform>%n evidence</numerusform>
            <numerusform>%n evidence</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n waiting for review</source>
        <translation>
            <numerusform>, %n waiting for review</numerusform>
            <numerusform>, %n waiting for review</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>EvidencePage</name>
    <message numerus="yes">
        <source>%n waiting for review</source>
        <translation>
            <numerusform>%n waiting for review</numerusform>
            <numerusform>%n waiting for review</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>NextStepList</name>
    <message numerus="yes">
        <source>%n overdue</source>
        <translation>
            <numerusform>%n overdue</numerusform>
            <numerusform>%n overdue</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PlanSummary</name>
    <message numerus="yes">
        <source>%n benchmark(s) reviewed</source>
        <translation>
            <numerusform>%n benchmark reviewed</numerusform>
            <numerusform>%n benchmarks reviewed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n benchmark(s)</source>
        <translation>
            <numerusform>%n benchmark</numerusform>
            <numerusform>%n benchmarks</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SchoolDelegate</name>
    <message numerus="yes">
        <source>%n benchmark(s) off track or at risk</source>
        <translation>
            <numerusform>%n benchmark off track or at risk</numerusform>
            <numerusform>%n benchmarks off track or at risk</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n open next step(s)</source>
        <translation>
            <numerusform>%n open next step</numerusform>
            <numerusform>%n open next steps</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n overdue</source>
        <translation>
            <numerusform>%n overdue</numerusform>
            <numerusform>%n overdue</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SyncStatusBar</name>
    <message numerus="yes">
        <source>Last synced %1 · %n open conflict(s)</source>
        <translation>
            <numerusform>Last synced %1 · %n open conflict</numerusform>
            <numerusform>Last synced %1 · %n open conflicts</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Update the app to see %n newer item(s)</source>
        <translation>
            <numerusform>Update the app to see %n newer item</numerusform>
            <numerusform>Update the app to see %n newer items</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>VisitPage</name>
    <message numerus="yes">
        <source>%n indicator(s) are not rated yet. </source>
        <translation>
            <numerusform>%n indicator is not rated yet. </numerusform>
            <numerusform>%n indicators are not rated yet. </numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sitevisit::app::AppController</name>
    <message numerus="yes">
        <source>%n change(s) waiting</source>
        <translation>
            <numerusform>%n change waiting</numerusform>
            <numerusform>%n changes waiting</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Offline — %n change(s) saved on this device</source>
        <translation>
            <numerusform>Offline — %n change saved on this device</numerusform>
            <numerusform>Offline — %n changes saved on this device</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Sign in again to send %n change(s); nothing on this device is lost</source>
        <translation>
            <numerusform>Sign in again to send %n change; nothing on this device is lost</numerusform>
            <numerusform>Sign in again to send %n changes; nothing on this device is lost</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n change(s)</source>
        <translation>
            <numerusform>%1 of %n change</numerusform>
            <numerusform>%1 of %n changes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Server restored: sending again %n change(s) it may lack</source>
        <translation>
            <numerusform>Server restored: sending again %n change it may lack</numerusform>
            <numerusform>Server restored: sending again %n changes it may lack</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Recovered from the server's restore: %n change(s) sent again</source>
        <translation>
            <numerusform>Recovered from the server's restore: %n change sent again</numerusform>
            <numerusform>Recovered from the server's restore: %n changes sent again</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n item(s) the server no longer holds removed from this device</source>
        <translation>
            <numerusform>%n item the server no longer holds removed from this device</numerusform>
            <numerusform>%n items the server no longer holds removed from this device</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n change(s) waiting to be sent</source>
        <translation>
            <numerusform>%n change waiting to be sent</numerusform>
            <numerusform>%n changes waiting to be sent</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sitevisit::app::VisitController</name>
    <message numerus="yes">
        <source>Report ready: %n page(s)</source>
        <translation>
            <numerusform>Report ready: %n page</numerusform>
            <numerusform>Report ready: %n pages</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TeamRatingsPage</name>
    <message numerus="yes">
        <source>%n visit(s)</source>
        <translation>
            <numerusform>%n visit</numerusform>
            <numerusform>%n visits</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Your %n rating(s) become final and your team sees them after the next sync. You cannot change them afterwards.</source>
        <translation>
            <numerusform>Your %n rating becomes final and your team sees it after the next sync. You cannot change it afterwards.</numerusform>
            <numerusform>Your %n ratings become final and your team sees them after the next sync. You cannot change them afterwards.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RegionPage</name>
    <message numerus="yes">
        <source>%n district(s) of another region stay as they are.</source>
        <translation>
            <numerusform>%n district of another region stays as it is.</numerusform>
            <numerusform>%n districts of another region stay as they are.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n next step(s) overdue</source>
        <translation>
            <numerusform>%n next step overdue</numerusform>
            <numerusform>%n next steps overdue</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n school(s)</source>
        <translation>
            <numerusform>%n school</numerusform>
            <numerusform>%n schools</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n visit(s) done this quarter</source>
        <translation>
            <numerusform>%n visit done this quarter</numerusform>
            <numerusform>%n visits done this quarter</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sitevisit::app::PlanEditor</name>
    <message numerus="yes">
        <source>%n initiative(s)</source>
        <translation>
            <numerusform>%n initiative</numerusform>
            <numerusform>%n initiatives</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n benchmark(s)</source>
        <translation>
            <numerusform>%n benchmark</numerusform>
            <numerusform>%n benchmarks</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>sitevisit::app::ReflectionController</name>
    <message numerus="yes">
        <source>%n objective(s)</source>
        <translation>
            <numerusform>%n objective</numerusform>
            <numerusform>%n objectives</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n initiative(s)</source>
        <translation>
            <numerusform>%n initiative</numerusform>
            <numerusform>%n initiatives</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n benchmark(s)</source>
        <translation>
            <numerusform>%n benchmark</numerusform>
            <numerusform>%n benchmarks</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n benchmark(s) met the target already; raise the new target.</source>
        <translation>
            <numerusform>%n benchmark met the target already; raise the new target.</numerusform>
            <numerusform>%n benchmarks met the target already; raise the new target.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReflectionPage</name>
    <message numerus="yes">
        <source>and %n more</source>
        <translation>
            <numerusform>and %n more</numerusform>
            <numerusform>and %n more</numerusform>
        </translation>
    </message>
</context>
</TS>
