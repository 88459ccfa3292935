<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en_US">
<context>
    <name>CopyRow</name>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Copy {what}</source>
        <translation>{what} kopieren</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Kopiert</translation>
    </message>
</context>
<context>
    <name>MessageBox</name>
    <message>
        <source>Trace ID</source>
        <translation>Trace-ID</translation>
    </message>
    <message>
        <source>trace ID</source>
        <translation>Trace-ID</translation>
    </message>
</context>
<context>
    <name>ResolveDialog</name>
    <message>
        <source>Resolve by hand</source>
        <translation>Von Hand klären</translation>
    </message>
    <message>
        <source>Refund to resolve</source>
        <translation>Zu klärende Rückerstattung</translation>
    </message>
    <message>
        <source>Reference {reference}</source>
        <translation>Referenz {reference}</translation>
    </message>
    <message>
        <source>Transaction reference</source>
        <translation>Transaktionsreferenz</translation>
    </message>
    <message>
        <source>Last seen: {problem}</source>
        <translation>Zuletzt gesehen: {problem}</translation>
    </message>
    <message>
        <source>Last known problem</source>
        <translation>Zuletzt bekanntes Problem</translation>
    </message>
    <message>
        <source>I checked on the terminal / the payment service&apos;s website:</source>
        <translation>Ich habe am Terminal / auf der Website des Zahlungsdienstes geprüft:</translation>
    </message>
    <message>
        <source>It &amp;was refunded</source>
        <translation>Es &amp;wurde erstattet</translation>
    </message>
    <message>
        <source>It was refunded</source>
        <translation>Es wurde erstattet</translation>
    </message>
    <message>
        <source>It was n&amp;ot refunded</source>
        <translation>Es wurde &amp;nicht erstattet</translation>
    </message>
    <message>
        <source>It was not refunded</source>
        <translation>Es wurde nicht erstattet</translation>
    </message>
    <message>
        <source>Your name</source>
        <translation>Ihr Name</translation>
    </message>
    <message>
        <source>who checked</source>
        <translation>wer geprüft hat</translation>
    </message>
    <message>
        <source>What you saw</source>
        <translation>Was Sie gesehen haben</translation>
    </message>
    <message>
        <source>e.g. portal shows refund rf_… approved at 10:42</source>
        <translation>z. B. Portal zeigt Erstattung rf_… genehmigt um 10:42</translation>
    </message>
    <message>
        <source>Your &amp;name</source>
        <translation>Ihr Na&amp;me</translation>
    </message>
    <message>
        <source>What you &amp;saw</source>
        <translation>Was Sie ge&amp;sehen haben</translation>
    </message>
    <message>
        <source>What recording means</source>
        <translation>Was das Festhalten bedeutet</translation>
    </message>
    <message>
        <source>What is still missing</source>
        <translation>Was noch fehlt</translation>
    </message>
    <message>
        <source>Could not record</source>
        <translation>Festhalten nicht möglich</translation>
    </message>
    <message>
        <source>Cancel  Esc</source>
        <translation>Abbrechen  Esc</translation>
    </message>
    <message>
        <source>Cancel, record nothing</source>
        <translation>Abbrechen, nichts festhalten</translation>
    </message>
    <message>
        <source>Record in the journal  ⏎</source>
        <translation>Im Journal festhalten  ⏎</translation>
    </message>
    <message>
        <source>Record in the journal</source>
        <translation>Im Journal festhalten</translation>
    </message>
    <message>
        <source>Choose what you saw: refunded or not refunded.</source>
        <translation>Wählen Sie, was Sie gesehen haben: erstattet oder nicht erstattet.</translation>
    </message>
    <message>
        <source>Type your name.</source>
        <translation>Geben Sie Ihren Namen ein.</translation>
    </message>
    <message>
        <source>Type what you saw, and where.</source>
        <translation>Geben Sie ein, was Sie wo gesehen haben.</translation>
    </message>
    <message>
        <source>Recording…</source>
        <translation>Wird festgehalten…</translation>
    </message>
</context>
<context>
    <name>UnresolvedDialog</name>
    <message>
        <source>Refunds without an answer</source>
        <translation>Rückerstattungen ohne Antwort</translation>
    </message>
    <message>
        <source>Check now (F5) asks the payment service first. When it cannot tell, check each one on the terminal or the payment service&apos;s website, then resolve it by hand.</source>
        <translation>Jetzt prüfen (F5) fragt zuerst den Zahlungsdienst. Kann er das nicht sagen, prüfen Sie jede am Terminal oder auf der Website des Zahlungsdienstes und klären Sie sie dann von Hand.</translation>
    </message>
    <message>
        <source>List status</source>
        <translation>Status der Liste</translation>
    </message>
    <message>
        <source>Close  Esc</source>
        <translation>Schließen  Esc</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Resolve by hand…</source>
        <translation>Von Hand klären…</translation>
    </message>
    <message>
        <source>Resolve the selected refund by hand</source>
        <translation>Die ausgewählte Rückerstattung von Hand klären</translation>
    </message>
    <message>
        <source>Reading the journal…</source>
        <translation>Journal wird gelesen…</translation>
    </message>
    <message>
        <source>Nothing left to check.</source>
        <translation>Nichts mehr zu prüfen.</translation>
    </message>
    <message>
        <source>This one is being sent right now: wait for its answer.</source>
        <translation>Diese wird gerade gesendet: Warten Sie ihre Antwort ab.</translation>
    </message>
</context>
<context>
    <name>app</name>
    <message>
        <source>Something went wrong</source>
        <translation>Etwas ist schiefgegangen</translation>
    </message>
    <message>
        <source>Something went wrong inside the app. Your refunds are safe in the journal.
Reference for support: {reference}</source>
        <translation>In der App ist etwas schiefgegangen. Ihre Rückerstattungen sind im Journal sicher.
Referenz für den Support: {reference}</translation>
    </message>
</context>
<context>
    <name>resolve</name>
    <message>
        <source>This is recorded in the refund journal with your name and what you saw, and cannot be undone. “It was refunded” counts the money as given back. “It was not refunded” lets this payment be refunded again. Only choose after checking on the terminal or the payment service&apos;s website.</source>
        <extracomment>States a person may settle by hand (the journal refuses the others with a sentence). In English (a module-level constant); shown through `tr_resolve()`.</extracomment>
        <translation>Dies wird mit Ihrem Namen und dem, was Sie gesehen haben, im Erstattungsjournal festgehalten und kann nicht rückgängig gemacht werden. „Es wurde erstattet“ zählt das Geld als zurückgegeben. „Es wurde nicht erstattet“ erlaubt, diese Zahlung erneut zu erstatten. Wählen Sie erst, nachdem Sie am Terminal oder auf der Website des Zahlungsdienstes geprüft haben.</translation>
    </message>
    <message>
        <source>Void of the full amount on charge {charge}</source>
        <translation>Storno des vollen Betrags der Zahlung {charge}</translation>
    </message>
    <message>
        <source>Refund of the full amount on charge {charge}</source>
        <translation>Rückerstattung des vollen Betrags der Zahlung {charge}</translation>
    </message>
    <message>
        <source>Void of {amount} on charge {charge}</source>
        <translation>Storno über {amount} der Zahlung {charge}</translation>
    </message>
    <message>
        <source>Refund of {amount} on charge {charge}</source>
        <translation>Rückerstattung über {amount} der Zahlung {charge}</translation>
    </message>
    <message>
        <source>{when} by {who}</source>
        <translation>{when} von {who}</translation>
    </message>
</context>
<context>
    <name>selfcheck</name>
    <message>
        <source>main window built ({width}×{height}, platform {platform})</source>
        <translation>Hauptfenster aufgebaut ({width}×{height}, Plattform {platform})</translation>
    </message>
    <message>
        <source>no collation data: German sorts ä after b</source>
        <translation>keine Sortierdaten: Deutsch sortiert ä nach b</translation>
    </message>
    <message>
        <source>no time-zone names</source>
        <translation>keine Zeitzonennamen</translation>
    </message>
    <message>
        <source>collation and time-zone names ({name})</source>
        <translation>Sortierung und Zeitzonennamen ({name})</translation>
    </message>
    <message>
        <source>German window catalogues missing: found {names}</source>
        <translation>Deutsche Fensterkataloge fehlen: gefunden {names}</translation>
    </message>
    <message>
        <source>{name} does not load</source>
        <translation>{name} lässt sich nicht laden</translation>
    </message>
    <message>
        <source>German is incomplete: {sample}</source>
        <translation>Deutsch ist unvollständig: {sample}</translation>
    </message>
    <message>
        <source>translations ({language}): {sample}</source>
        <translation>Übersetzungen ({language}): {sample}</translation>
    </message>
</context>
<context>
    <name>states</name>
    <message>
        <source>being sent</source>
        <translation>wird gesendet</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>genehmigt</translation>
    </message>
    <message>
        <source>declined</source>
        <translation>abgelehnt</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>ausstehend</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>gescheitert</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>not sent — nothing refunded</source>
        <translation>nicht gesendet — nichts erstattet</translation>
    </message>
    <message>
        <source>{state} — by hand ({who})</source>
        <extracomment>Text colours for a state (on white), the same families as the result cards.</extracomment>
        <translation>{state} — von Hand ({who})</translation>
    </message>
    <message>
        <source>Resolved by hand by {who}: “{seen}”</source>
        <translation>Von Hand geklärt von {who}: „{seen}“</translation>
    </message>
    <message>
        <source>Resolved by hand by {who}</source>
        <translation>Von Hand geklärt von {who}</translation>
    </message>
</context>
</TS>
