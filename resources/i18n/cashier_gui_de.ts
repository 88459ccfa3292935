<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en_US">
<context>
    <name>ChargeCard</name>
    <message>
        <source>Paid</source>
        <translation>Bezahlt</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>Karte</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>Refunded so far</source>
        <translation>Bisher erstattet</translation>
    </message>
    <message>
        <source>Still refundable</source>
        <translation>Noch erstattbar</translation>
    </message>
    <message>
        <source>Charge details</source>
        <translation>Zahlungsdetails</translation>
    </message>
    <message>
        <source>Earlier refunds</source>
        <translation>Frühere Erstattungen</translation>
    </message>
    <message>
        <source>Why this charge cannot be refunded</source>
        <translation>Warum diese Zahlung nicht erstattet werden kann</translation>
    </message>
    <message>
        <source>Not settled yet: a void returns it all, at no cost.</source>
        <translation>Noch nicht abgerechnet: Eine Stornierung gibt alles zurück, ohne Kosten.</translation>
    </message>
    <message>
        <source>&amp;Void sale</source>
        <translation>Verkauf &amp;stornieren</translation>
    </message>
    <message>
        <source>Void the whole sale</source>
        <translation>Den ganzen Verkauf stornieren</translation>
    </message>
</context>
<context>
    <name>ConfirmCard</name>
    <message>
        <source>What happened to the last try</source>
        <translation>Was beim letzten Versuch geschah</translation>
    </message>
    <message>
        <source>Confirm question</source>
        <translation>Bestätigungsfrage</translation>
    </message>
    <message>
        <source>Amount to confirm</source>
        <translation>Zu bestätigender Betrag</translation>
    </message>
    <message>
        <source>Why a manager must approve</source>
        <translation>Warum die Filialleitung genehmigen muss</translation>
    </message>
    <message>
        <source>Manager PIN</source>
        <translation>PIN der Filialleitung</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>Freigeben</translation>
    </message>
    <message>
        <source>Approval problem</source>
        <translation>Problem bei der Freigabe</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>Filialleitung</translation>
    </message>
    <message>
        <source>Confirm refund  ⏎</source>
        <translation>Erstattung bestätigen  ⏎</translation>
    </message>
    <message>
        <source>Confirm refund</source>
        <translation>Erstattung bestätigen</translation>
    </message>
    <message>
        <source>Back  Esc</source>
        <translation>Zurück  Esc</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Zurück</translation>
    </message>
    <message>
        <source>A manager must approve this: {reasons} Manager: choose your name, type your PIN, then press Enter or OK.</source>
        <translation>Eine Filialleitung muss das freigeben: {reasons} Filialleitung: Namen wählen, PIN eingeben, dann Enter oder OK drücken.</translation>
    </message>
</context>
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
    <name>CounterSession</name>
    <message>
        <source>Signed in</source>
        <extracomment>The window itself: the dialogs&apos; parent, the status bar, the window to bring forward. The open runtime, or None while starting (or when it failed). The refund screen, or None before the first start. The real counter&apos;s people (also in training: managers are real people). Put a page (the sign-in page) in front. Someone may refund now: show the refund screen.</extracomment>
        <translation>Angemeldet</translation>
    </message>
    <message>
        <source>{name} (training)</source>
        <translation>{name} (Training)</translation>
    </message>
    <message>
        <source>{name} · manager</source>
        <translation>{name} · Filialleitung</translation>
    </message>
    <message>
        <source>Signed in: {name}. Ctrl+L signs out.</source>
        <translation>Angemeldet: {name}. Strg+L meldet ab.</translation>
    </message>
    <message>
        <source>Training needs no sign-in.</source>
        <translation>Im Training ist keine Anmeldung nötig.</translation>
    </message>
    <message>
        <source>Nobody signs in on this counter: a manager adds people in Counter → People…</source>
        <translation>An dieser Kasse meldet sich niemand an: Die Filialleitung legt Personen unter Kasse → Personen… an.</translation>
    </message>
    <message>
        <source>A refund is being sent: you can sign out once it has its answer.</source>
        <translation>Eine Erstattung wird gesendet: Abmelden geht, sobald ihre Antwort da ist.</translation>
    </message>
    <message>
        <source>Signed out after {minutes} minutes without use.</source>
        <translation>Nach {minutes} Minuten ohne Eingabe abgemeldet.</translation>
    </message>
</context>
<context>
    <name>CounterSettingsBox</name>
    <message>
        <source>This counter</source>
        <extracomment>Each language in its own words (a cashier who reads only that one finds it).</extracomment>
        <translation>Diese Kasse</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>This PC&apos;s language</source>
        <translation>Sprache dieses PCs</translation>
    </message>
    <message>
        <source> min</source>
        <translation> Min.</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>Sign out after this many idle minutes</source>
        <translation>Nach so vielen Minuten ohne Eingabe abmelden</translation>
    </message>
    <message>
        <source>Sign out when idle</source>
        <translation>Abmelden ohne Eingabe nach</translation>
    </message>
    <message>
        <source>Receipts</source>
        <translation>Belege</translation>
    </message>
    <message>
        <source>Shop name on receipts</source>
        <translation>Name des Geschäfts auf Belegen</translation>
    </message>
    <message>
        <source>Shop address on receipts, up to 4 lines</source>
        <translation>Adresse des Geschäfts auf Belegen, bis zu 4 Zeilen</translation>
    </message>
    <message>
        <source>No printer</source>
        <translation>Kein Drucker</translation>
    </message>
    <message>
        <source>This PC&apos;s printer (print dialog)</source>
        <translation>Drucker dieses PCs (Druckdialog)</translation>
    </message>
    <message>
        <source>Receipt printer on the network</source>
        <translation>Belegdrucker im Netzwerk</translation>
    </message>
    <message>
        <source>Receipt printer on USB</source>
        <translation>Belegdrucker an USB</translation>
    </message>
    <message>
        <source>Receipt printer at a device path</source>
        <translation>Belegdrucker an einem Gerätepfad</translation>
    </message>
    <message>
        <source>Printer</source>
        <translation>Drucker</translation>
    </message>
    <message>
        <source>Printer address</source>
        <translation>Adresse des Druckers</translation>
    </message>
    <message>
        <source>Characters per line</source>
        <translation>Zeichen pro Zeile</translation>
    </message>
    <message>
        <source>{n} characters</source>
        <translation>{n} Zeichen</translation>
    </message>
    <message>
        <source>Print the receipt as soon as a refund has its answer</source>
        <translation>Beleg drucken, sobald eine Erstattung ihre Antwort hat</translation>
    </message>
    <message>
        <source>Print a test receipt</source>
        <translation>Testbeleg drucken</translation>
    </message>
    <message>
        <source>Shop name</source>
        <translation>Name des Geschäfts</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Address of the printer</source>
        <translation>Adresse des Druckers</translation>
    </message>
    <message>
        <source>Paper width</source>
        <translation>Papierbreite</translation>
    </message>
    <message>
        <source>e.g. 192.168.1.50 (port 9100) or 192.168.1.50:9100</source>
        <translation>z. B. 192.168.1.50 (Port 9100) oder 192.168.1.50:9100</translation>
    </message>
    <message>
        <source>vendor:product in hex, e.g. 04b8:0202 (lsusb shows it)</source>
        <translation>Hersteller:Produkt in Hex, z. B. 04b8:0202 (lsusb zeigt es)</translation>
    </message>
    <message>
        <source>e.g. /dev/usb/lp0</source>
        <translation>z. B. /dev/usb/lp0</translation>
    </message>
    <message>
        <source>Test receipt</source>
        <translation>Testbeleg</translation>
    </message>
    <message>
        <source>TEST — NOT A REFUND</source>
        <translation>TEST — KEINE ERSTATTUNG</translation>
    </message>
    <message>
        <source>Test receipt sent.</source>
        <translation>Testbeleg gesendet.</translation>
    </message>
</context>
<context>
    <name>FormCard</name>
    <message>
        <source>Refund</source>
        <translation>Erstattung</translation>
    </message>
    <message>
        <source>&amp;Full</source>
        <translation>&amp;Voll</translation>
    </message>
    <message>
        <source>Full refund</source>
        <translation>Volle Erstattung</translation>
    </message>
    <message>
        <source>&amp;Partial</source>
        <translation>&amp;Teilweise</translation>
    </message>
    <message>
        <source>Partial refund</source>
        <translation>Teilweise Erstattung</translation>
    </message>
    <message>
        <source>Amount to refund</source>
        <translation>Zu erstattender Betrag</translation>
    </message>
    <message>
        <source>e.g. 12.50</source>
        <translation>z. B. 12,50</translation>
    </message>
    <message>
        <source>&amp;Amount</source>
        <translation>&amp;Betrag</translation>
    </message>
    <message>
        <source>Amount check</source>
        <translation>Prüfung des Betrags</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>&amp;Grund</translation>
    </message>
    <message>
        <source>Note (optional)</source>
        <translation>Notiz (freiwillig)</translation>
    </message>
    <message>
        <source>optional, e.g. box damaged</source>
        <translation>freiwillig, z. B. Karton beschädigt</translation>
    </message>
    <message>
        <source>&amp;Note</source>
        <translation>&amp;Notiz</translation>
    </message>
    <message>
        <source>Note length</source>
        <translation>Länge der Notiz</translation>
    </message>
    <message>
        <source>Transaction reference</source>
        <translation>Vorgangsreferenz</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>Referenz</translation>
    </message>
    <message>
        <source>Back  Esc</source>
        <translation>Zurück  Esc</translation>
    </message>
    <message>
        <source>Back to the charge ID</source>
        <translation>Zurück zur Zahlungs-ID</translation>
    </message>
    <message>
        <source>{count} — the note is full</source>
        <translation>{count} — die Notiz ist voll</translation>
    </message>
    <message>
        <source>e.g. {example}</source>
        <translation>z. B. {example}</translation>
    </message>
</context>
<context>
    <name>FormPart</name>
    <message>
        <source>&amp;Full — {amount}</source>
        <translation>&amp;Voll — {amount}</translation>
    </message>
    <message>
        <source>&amp;Amount</source>
        <translation>&amp;Betrag</translation>
    </message>
    <message>
        <source>type it from the receipt</source>
        <translation>vom Beleg abtippen</translation>
    </message>
    <message>
        <source>The terminal cannot look transactions up</source>
        <translation>Das Terminal kann Vorgänge nicht nachschlagen</translation>
    </message>
    <message>
        <source>&amp;Full — the amount paid</source>
        <translation>&amp;Voll — der bezahlte Betrag</translation>
    </message>
    <message>
        <source>&amp;Amount paid</source>
        <translation>&amp;Bezahlter Betrag</translation>
    </message>
    <message>
        <source>Look a charge up first.</source>
        <translation>Schlagen Sie zuerst eine Zahlung nach.</translation>
    </message>
    <message>
        <source>Type the amount paid, from the receipt.</source>
        <translation>Geben Sie den bezahlten Betrag vom Beleg ein.</translation>
    </message>
    <message>
        <source>A refund amount must be more than zero.</source>
        <translation>Ein Erstattungsbetrag muss größer als null sein.</translation>
    </message>
    <message>
        <source>Type the amount to refund.</source>
        <translation>Geben Sie den zu erstattenden Betrag ein.</translation>
    </message>
    <message>
        <source>the full amount</source>
        <translation>den vollen Betrag</translation>
    </message>
    <message>
        <source>Refund {amount}</source>
        <translation>{amount} erstatten</translation>
    </message>
    <message>
        <source>Refund</source>
        <translation>Erstatten</translation>
    </message>
    <message>
        <source>Approved</source>
        <extracomment>A charge&apos;s status as the charge card shows it (translated where shown).</extracomment>
        <translation>Genehmigt</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Ausstehend</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Storniert</translation>
    </message>
    <message>
        <source>Reversed</source>
        <translation>Rückgängig gemacht</translation>
    </message>
</context>
<context>
    <name>Help</name>
    <message>
        <source>1. Scan the receipt&apos;s barcode — from anywhere on this screen — or type the charge ID and press Enter. A new scan always starts over with the new receipt; nothing half-done is sent.
2. Check the payment. A sale of today that is not settled yet can be voided (the customer is never charged); otherwise refund it: choose Full or type the amount.
3. Pick a reason, press Enter, read the confirm card, press Enter again.
4. If the answer is lost, do not refund again: press F5 (Check now).
Esc steps back one stage.</source>
        <translation>1. Scannen Sie den Barcode des Belegs — von überall auf diesem Bildschirm — oder geben Sie die Zahlungs-ID ein und drücken Sie Enter. Ein neuer Scan beginnt immer neu mit dem neuen Beleg; nichts Halbfertiges wird gesendet.
2. Prüfen Sie die Zahlung. Ein heutiger, noch nicht abgerechneter Verkauf kann storniert werden (die Kundschaft wird nie belastet); sonst erstatten Sie ihn: Wählen Sie Voll oder geben Sie den Betrag ein.
3. Wählen Sie einen Grund, drücken Sie Enter, lesen Sie die Bestätigung, drücken Sie wieder Enter.
4. Geht die Antwort verloren, erstatten Sie nicht noch einmal: Drücken Sie F5 (Jetzt prüfen).
Esc geht einen Schritt zurück.</translation>
    </message>
</context>
<context>
    <name>HelpCard</name>
    <message>
        <source>Refund a card payment</source>
        <translation>Eine Kartenzahlung erstatten</translation>
    </message>
    <message>
        <source>F1 explains more and lists every shortcut.</source>
        <translation>F1 erklärt mehr und zeigt alle Tastenkürzel.</translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message>
        <source>Refund history</source>
        <extracomment>A search&apos;s first page arrived (or failed): `loading` is False again.</extracomment>
        <translation>Erstattungsverlauf</translation>
    </message>
    <message>
        <source>Charge, refund or reference ID, card&apos;s last 4 digits, or an amount</source>
        <translation>Zahlungs-, Erstattungs- oder Referenz-ID, letzte 4 Kartenziffern oder ein Betrag</translation>
    </message>
    <message>
        <source>Search by charge, refund or reference ID, or amount</source>
        <translation>Suche nach Zahlungs-, Erstattungs- oder Referenz-ID oder Betrag</translation>
    </message>
    <message>
        <source>Filter by state</source>
        <translation>Nach Status filtern</translation>
    </message>
    <message>
        <source>All states</source>
        <translation>Alle Status</translation>
    </message>
    <message>
        <source>Filter by counter</source>
        <translation>Nach Kasse filtern</translation>
    </message>
    <message>
        <source>All counters</source>
        <translation>Alle Kassen</translation>
    </message>
    <message>
        <source>Filter by operator</source>
        <translation>Nach Person filtern</translation>
    </message>
    <message>
        <source>Everyone</source>
        <translation>Alle Personen</translation>
    </message>
    <message>
        <source>From date</source>
        <translation>Ab Datum</translation>
    </message>
    <message>
        <source>To date</source>
        <translation>Bis Datum</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <source>Export to CSV</source>
        <translation>Als CSV exportieren</translation>
    </message>
    <message>
        <source>Print receipt  Ctrl+P</source>
        <translation>Beleg drucken  Strg+P</translation>
    </message>
    <message>
        <source>Print the selected attempt&apos;s receipt again</source>
        <translation>Den Beleg des gewählten Vorgangs erneut drucken</translation>
    </message>
    <message>
        <source>from</source>
        <translation>von</translation>
    </message>
    <message>
        <source>to</source>
        <translation>bis</translation>
    </message>
    <message>
        <source>Refund attempts</source>
        <translation>Erstattungsvorgänge</translation>
    </message>
    <message>
        <source>Choose a refund attempt to see all about it here.</source>
        <translation>Wählen Sie einen Erstattungsversuch: Hier steht dann alles darüber.</translation>
    </message>
    <message>
        <source>Refund attempt details</source>
        <translation>Details des Erstattungsvorgangs</translation>
    </message>
    <message>
        <source>Totals</source>
        <translation>Summen</translation>
    </message>
    <message>
        <source>Reading the journal…</source>
        <translation>Journal wird gelesen…</translation>
    </message>
    <message>
        <source>Refund attempt {id} · {state}</source>
        <translation>Erstattungsvorgang {id} · {state}</translation>
    </message>
    <message>
        <source>the full amount</source>
        <translation>der volle Betrag</translation>
    </message>
    <message>
        <source>Made by {operator} on {terminal}, {time}</source>
        <translation>Durchgeführt von {operator} an {terminal}, {time}</translation>
    </message>
    <message>
        <source>training</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>Amount: {amount}</source>
        <translation>Betrag: {amount}</translation>
    </message>
    <message>
        <source>(void of the whole sale)</source>
        <translation>(Stornierung des ganzen Verkaufs)</translation>
    </message>
    <message>
        <source>Charge: {charge}   Refund ID: {refund}</source>
        <translation>Zahlung: {charge}   Erstattungs-ID: {refund}</translation>
    </message>
    <message>
        <source>Card: {card}</source>
        <translation>Karte: {card}</translation>
    </message>
    <message>
        <source>not known</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>Reference: {reference}</source>
        <translation>Referenz: {reference}</translation>
    </message>
    <message>
        <source>Reason: {reason}</source>
        <translation>Grund: {reason}</translation>
    </message>
    <message>
        <source>note: {note}</source>
        <translation>Notiz: {note}</translation>
    </message>
    <message>
        <source>approved by {approver}</source>
        <translation>genehmigt von {approver}</translation>
    </message>
    <message>
        <source>Last answer: {answer}</source>
        <translation>Letzte Antwort: {answer}</translation>
    </message>
    <message>
        <source>Trace ID: {trace}</source>
        <translation>Trace-ID: {trace}</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>{matching} · today: refunded {refunded} · voided {voided}</source>
        <translation>{matching} · heute: erstattet {refunded} · storniert {voided}</translation>
    </message>
    <message>
        <source>Export refunds</source>
        <translation>Erstattungen exportieren</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Wird exportiert…</translation>
    </message>
    <message>
        <source>Could not write {path}: {problem}</source>
        <translation>{path} ließ sich nicht schreiben: {problem}</translation>
    </message>
    <message>
        <source>Exported {count} refund attempts to {path}</source>
        <translation>{count} Erstattungsvorgänge nach {path} exportiert</translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <source>{state} (training)</source>
        <translation>{state} (Training)</translation>
    </message>
    <message>
        <source>full</source>
        <translation>voll</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Betrag</translation>
    </message>
    <message>
        <source>Charge</source>
        <translation>Zahlung</translation>
    </message>
    <message>
        <source>Refund ID</source>
        <translation>Erstattungs-ID</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Person</translation>
    </message>
    <message>
        <source>Approver</source>
        <translation>Genehmigt von</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>Referenz</translation>
    </message>
</context>
<context>
    <name>HomeBanner</name>
    <message>
        <source>The shop server cannot be reached</source>
        <translation>Der Filialserver ist nicht erreichbar</translation>
    </message>
    <message>
        <source>The shop server cannot be reached: no refund or void can be sent until it is back (other counters could not see it). Refunds already sent are kept here and reported to the shop when it returns.</source>
        <translation>Der Filialserver ist nicht erreichbar: Bis er zurück ist, kann keine Erstattung und keine Stornierung gesendet werden (andere Kassen könnten sie nicht sehen). Bereits gesendete Erstattungen bleiben hier und werden der Filiale gemeldet, sobald er zurück ist.</translation>
    </message>
</context>
<context>
    <name>LookupCard</name>
    <message>
        <source>Charge ID — scan the receipt or type it</source>
        <translation>Zahlungs-ID — Beleg scannen oder eingeben</translation>
    </message>
    <message>
        <source>e.g. ch_abc123def456</source>
        <translation>z. B. ch_abc123def456</translation>
    </message>
    <message>
        <source>Charge ID</source>
        <translation>Zahlungs-ID</translation>
    </message>
    <message>
        <source>Look up  ⏎</source>
        <translation>Nachschlagen  ⏎</translation>
    </message>
    <message>
        <source>Look up charge</source>
        <translation>Zahlung nachschlagen</translation>
    </message>
    <message>
        <source>Lookup problem</source>
        <translation>Problem beim Nachschlagen</translation>
    </message>
    <message>
        <source>Transaction ID — from the terminal&apos;s receipt</source>
        <translation>Vorgangs-ID — vom Beleg des Terminals</translation>
    </message>
    <message>
        <source>e.g. 0d9f1c2e-4b5a-4c3d-8e7f-1a2b3c4d5e6f</source>
        <translation>z. B. 0d9f1c2e-4b5a-4c3d-8e7f-1a2b3c4d5e6f</translation>
    </message>
    <message>
        <source>Transaction ID</source>
        <translation>Vorgangs-ID</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>TRAINING — no money moves</source>
        <extracomment>The runtime is open and the refund screen is usable. Who is signed in (the sign-in page, Ctrl+L, idle sign-out, manager-only actions). History, Settings, People…, resolving by hand, report, help and About.</extracomment>
        <translation>TRAINING — es fließt kein Geld</translation>
    </message>
    <message>
        <source>Training mode: no money moves</source>
        <translation>Trainingsmodus: Es fließt kein Geld</translation>
    </message>
    <message>
        <source>Settings changed outside a manager&apos;s save</source>
        <translation>Einstellungen ohne Speichern durch die Filialleitung geändert</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Wird gestartet…</translation>
    </message>
    <message>
        <source>TRAINING</source>
        <translation>TRAINING</translation>
    </message>
    <message>
        <source>Cashier Refunds</source>
        <translation>Kassen-Erstattungen</translation>
    </message>
    <message>
        <source>R&amp;efund</source>
        <translation>&amp;Erstattung</translation>
    </message>
    <message>
        <source>&amp;New refund</source>
        <translation>&amp;Neue Erstattung</translation>
    </message>
    <message>
        <source>&amp;Check refunds with no answer</source>
        <translation>Erstattungen ohne Antwort &amp;prüfen</translation>
    </message>
    <message>
        <source>&amp;History…</source>
        <translation>&amp;Verlauf…</translation>
    </message>
    <message>
        <source>&amp;Print receipt</source>
        <translation>Beleg &amp;drucken</translation>
    </message>
    <message>
        <source>End-of-shift &amp;report…</source>
        <translation>&amp;Schichtabschluss…</translation>
    </message>
    <message>
        <source>Re&amp;solve by hand…</source>
        <translation>Von &amp;Hand klären…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Counter</source>
        <translation>&amp;Kasse</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>&amp;Abmelden</translation>
    </message>
    <message>
        <source>&amp;People…</source>
        <translation>&amp;Personen…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>Switch to &amp;training mode</source>
        <translation>In den &amp;Trainingsmodus wechseln</translation>
    </message>
    <message>
        <source>Leave training mode</source>
        <translation>Trainingsmodus verlassen</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;How refunds work and shortcuts</source>
        <translation>&amp;So geht eine Erstattung, Tastenkürzel</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>Ü&amp;ber</translation>
    </message>
    <message>
        <source>A refund is on the confirm card or being sent: finish or cancel it first.</source>
        <translation>Eine Erstattung wartet auf Bestätigung oder wird gesendet: Schließen Sie sie zuerst ab oder brechen Sie sie ab.</translation>
    </message>
    <message>
        <source>Starting training mode…</source>
        <translation>Trainingsmodus wird gestartet…</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Verbindung wird aufgebaut…</translation>
    </message>
    <message>
        <source>{app} — TRAINING</source>
        <translation>{app} — TRAINING</translation>
    </message>
    <message>
        <source>Terminal {terminal}</source>
        <translation>Terminal {terminal}</translation>
    </message>
    <message>
        <source>Checked: {checked}; still without an answer: {left}.</source>
        <translation>Geprüft: {checked}; noch ohne Antwort: {left}.</translation>
    </message>
    <message>
        <source>Pending refunds with their final answer now: {n}.</source>
        <translation>Ausstehende Erstattungen, die jetzt ihre endgültige Antwort haben: {n}.</translation>
    </message>
    <message>
        <source>● Connected</source>
        <translation>● Verbunden</translation>
    </message>
    <message>
        <source>● No connection</source>
        <translation>● Keine Verbindung</translation>
    </message>
    <message>
        <source>A refund is being sent: wait for its answer before closing.</source>
        <translation>Eine Erstattung wird gesendet: Warten Sie vor dem Schließen auf ihre Antwort.</translation>
    </message>
    <message>
        <source>A refund is being sent: wait for its answer (at most {seconds} s) before closing.</source>
        <translation>Eine Erstattung wird gesendet: Warten Sie vor dem Schließen auf ihre Antwort (höchstens {seconds} s).</translation>
    </message>
    <message>
        <source>Resolving a refund by hand is for managers.</source>
        <translation>Eine Erstattung von Hand klären darf nur die Filialleitung.</translation>
    </message>
    <message>
        <source>No refund answer on screen: open History (Ctrl+H), choose the refund and print its receipt there.</source>
        <translation>Keine Erstattungsantwort auf dem Bildschirm: Öffnen Sie den Verlauf (Strg+H), wählen Sie die Erstattung und drucken Sie dort ihren Beleg.</translation>
    </message>
    <message>
        <source>Settings are for managers.</source>
        <translation>Die Einstellungen sind der Filialleitung vorbehalten.</translation>
    </message>
    <message>
        <source>People are managed by managers.</source>
        <translation>Personen verwaltet die Filialleitung.</translation>
    </message>
    <message>
        <source>Leaving training mode is for managers.</source>
        <translation>Den Trainingsmodus verlassen darf nur die Filialleitung.</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <source>How refunds work</source>
        <translation>So geht eine Erstattung</translation>
    </message>
    <message>
        <source>About {app}</source>
        <translation>Über {app}</translation>
    </message>
    <message>
        <source>{app} {version}
Refunds card payments through Viopay or a Poynt terminal. Secrets stay in the operating system&apos;s keyring.</source>
        <translation>{app} {version}
Erstattet Kartenzahlungen über Viopay oder ein Poynt-Terminal. Geheimnisse bleiben im Schlüsselbund des Betriebssystems.</translation>
    </message>
    <message>
        <source>Acknowledging refunds made outside this app is for managers.</source>
        <translation>Rückerstattungen außerhalb dieser App zu bestätigen ist Sache der Filialleitung.</translation>
    </message>
</context>
<context>
    <name>ManagerDialog</name>
    <message>
        <source>A manager&apos;s PIN</source>
        <translation>PIN der Filialleitung</translation>
    </message>
    <message>
        <source>That was a scan, not a PIN.</source>
        <translation>Das war ein Scan, keine PIN.</translation>
    </message>
    <message>
        <source>Cancel  Esc</source>
        <translation>Abbrechen  Esc</translation>
    </message>
    <message>
        <source>{name} is not a manager.</source>
        <translation>{name} gehört nicht zur Filialleitung.</translation>
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
    <name>Operations</name>
    <message>
        <source>Something went wrong inside the app ({kind}). Try again; if it happens again, call support.</source>
        <translation>In der App ist etwas schiefgegangen ({kind}). Versuchen Sie es erneut; passiert es wieder, rufen Sie den Support an.</translation>
    </message>
</context>
<context>
    <name>OutsideBanner</name>
    <message>
        <source>Refunds made outside this app</source>
        <translation>Rückerstattungen außerhalb dieser App</translation>
    </message>
    <message>
        <source>Acknowledge…</source>
        <translation>Bestätigen…</translation>
    </message>
    <message>
        <source>A manager acknowledges the refunds made outside this app</source>
        <translation>Eine Filialleitung bestätigt die Rückerstattungen außerhalb dieser App</translation>
    </message>
    <message>
        <source>The payment service holds refunds this counter did not send. Nobody here made them: a manager checks them with the payment service.</source>
        <translation>Der Zahlungsdienst kennt Rückerstattungen, die diese Kasse nicht gesendet hat. Niemand hier hat sie gemacht: Eine Filialleitung prüft sie beim Zahlungsdienst.</translation>
    </message>
    <message>
        <source>… and {n} more (cashier-refund reconcile lists them all).</source>
        <translation>… und {n} weitere (cashier-refund reconcile listet alle auf).</translation>
    </message>
</context>
<context>
    <name>PeopleDialog</name>
    <message>
        <source>People</source>
        <translation>Personen</translation>
    </message>
    <message>
        <source>People at this counter</source>
        <translation>Personen an dieser Kasse</translation>
    </message>
    <message>
        <source>People of the shop</source>
        <translation>Personen der Filiale</translation>
    </message>
    <message>
        <source>New &amp;PIN…</source>
        <translation>Neue &amp;PIN…</translation>
    </message>
    <message>
        <source>&amp;Remove…</source>
        <translation>&amp;Entfernen…</translation>
    </message>
    <message>
        <source>Loc&amp;k</source>
        <translation>Spe&amp;rren</translation>
    </message>
    <message>
        <source>Lock this person until a manager lifts the lock or sets a new PIN</source>
        <translation>Diese Person sperren, bis die Filialleitung die Sperre aufhebt oder eine neue PIN setzt</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Cashier: refunds within the shop&apos;s rules</source>
        <translation>Kasse: erstattet im Rahmen der Regeln des Geschäfts</translation>
    </message>
    <message>
        <source>Manager: approves, settings, people</source>
        <translation>Filialleitung: genehmigt, Einstellungen, Personen</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>PIN again</source>
        <translation>PIN wiederholen</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Name</translation>
    </message>
    <message>
        <source>R&amp;ole</source>
        <translation>R&amp;olle</translation>
    </message>
    <message>
        <source>PIN (4–8 digits)</source>
        <translation>PIN (4–8 Ziffern)</translation>
    </message>
    <message>
        <source>PIN a&amp;gain</source>
        <translation>PIN &amp;wiederholen</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <source>Your PIN</source>
        <translation>Ihre PIN</translation>
    </message>
    <message>
        <source>Your PIN, {name} (for every change)</source>
        <translation>Ihre PIN, {name} (für jede Änderung)</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problem</translation>
    </message>
    <message>
        <source>&amp;Add a person…</source>
        <translation>Person &amp;hinzufügen…</translation>
    </message>
    <message>
        <source>Close  Esc</source>
        <translation>Schließen  Esc</translation>
    </message>
    <message>
        <source>manager</source>
        <translation>Filialleitung</translation>
    </message>
    <message>
        <source>cashier</source>
        <translation>Kasse</translation>
    </message>
    <message>
        <source>{name} — {role}</source>
        <translation>{name} — {role}</translation>
    </message>
    <message>
        <source>{name} — {role} — locked by a manager</source>
        <translation>{name} — {role} — von der Filialleitung gesperrt</translation>
    </message>
    <message>
        <source>Nobody signs in yet: refunds are made as this PC&apos;s user. Add the first manager; from then on everyone signs in with a PIN.</source>
        <translation>Noch meldet sich niemand an: Erstattungen laufen unter dem Benutzer dieses PCs. Legen Sie die erste Filialleitung an; danach meldet sich jede Person mit ihrer PIN an.</translation>
    </message>
    <message>
        <source>Everyone signs in with their own PIN at every counter of the shop. A change here is a change at every counter at once. Managers approve and set up.</source>
        <translation>Jede Person meldet sich an jeder Kasse der Filiale mit ihrer eigenen PIN an. Eine Änderung hier gilt sofort an jeder Kasse. Die Filialleitung genehmigt und richtet ein.</translation>
    </message>
    <message>
        <source>Everyone signs in with their own PIN. Managers approve and set up.</source>
        <translation>Jede Person meldet sich mit ihrer eigenen PIN an. Die Filialleitung genehmigt und richtet ein.</translation>
    </message>
    <message>
        <source>Add a person</source>
        <translation>Person hinzufügen</translation>
    </message>
    <message>
        <source>New PIN for {name}</source>
        <translation>Neue PIN für {name}</translation>
    </message>
    <message>
        <source>Type your own PIN first: every change of people needs a manager&apos;s PIN.</source>
        <translation>Zuerst die eigene PIN eingeben: Jede Änderung an Personen braucht die PIN einer Filialleitung.</translation>
    </message>
    <message>
        <source>Type the person&apos;s name.</source>
        <translation>Geben Sie den Namen der Person ein.</translation>
    </message>
    <message>
        <source>The PIN is 4 to 8 digits.</source>
        <translation>Die PIN hat 4 bis 8 Ziffern.</translation>
    </message>
    <message>
        <source>The two PINs differ: type the PIN again.</source>
        <translation>Die beiden PINs sind verschieden: Geben Sie die PIN noch einmal ein.</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Gespeichert.</translation>
    </message>
    <message>
        <source>You are removing yourself.</source>
        <translation>Sie entfernen sich selbst.</translation>
    </message>
    <message>
        <source>Remove {name}?</source>
        <translation>{name} entfernen?</translation>
    </message>
    <message>
        <source>{name} will no longer be able to sign in.</source>
        <translation>{name} kann sich dann nicht mehr anmelden.</translation>
    </message>
    <message>
        <source>&amp;Lift lock</source>
        <translation>Sperre &amp;aufheben</translation>
    </message>
    <message>
        <source>{name} — {role} — locked for another minute</source>
        <translation>{name} — {role} — noch eine Minute gesperrt</translation>
    </message>
    <message>
        <source>{name} — {role} — locked for {minutes} more minutes</source>
        <translation>{name} — {role} — noch {minutes} Minuten gesperrt</translation>
    </message>
    <message>
        <source>{name} is locked: they cannot sign in or approve until a manager lifts the lock or sets a new PIN.</source>
        <translation>{name} ist gesperrt: Anmelden und Freigeben sind nicht möglich, bis die Filialleitung die Sperre aufhebt oder eine neue PIN setzt.</translation>
    </message>
    <message>
        <source>The lock on {name} is lifted.</source>
        <translation>Die Sperre für {name} ist aufgehoben.</translation>
    </message>
</context>
<context>
    <name>PinPad</name>
    <message>
        <source>Your name</source>
        <extracomment>A QLineEdit with this property set is a secret (a PIN): ui/refund/keys.py leaves its keys to the field alone, so no secret is ever part of a scan or echoed elsewhere.</extracomment>
        <translation>Ihr Name</translation>
    </message>
    <message>
        <source>Who signs in</source>
        <translation>Wer sich anmeldet</translation>
    </message>
    <message>
        <source>PIN (4 to 8 digits)</source>
        <translation>PIN (4 bis 8 Ziffern)</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Delete the last digit</source>
        <translation>Letzte Ziffer löschen</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <source>Digit {digit}</source>
        <translation>Ziffer {digit}</translation>
    </message>
    <message>
        <source>Sign-in problem</source>
        <translation>Problem bei der Anmeldung</translation>
    </message>
    <message>
        <source>{name} — manager</source>
        <extracomment>The name row and the PIN field as they were before the current fast run.</extracomment>
        <translation>{name} — Filialleitung</translation>
    </message>
    <message>
        <source>PIN for {name}:</source>
        <translation>PIN für {name}:</translation>
    </message>
    <message>
        <source>Nobody to sign in: a manager adds people first.</source>
        <translation>Niemand zum Anmelden: Die Filialleitung legt zuerst Personen an.</translation>
    </message>
    <message>
        <source>Type your PIN (4 to 8 digits), then press Enter.</source>
        <translation>Geben Sie Ihre PIN ein (4 bis 8 Ziffern) und drücken Sie Enter.</translation>
    </message>
    <message>
        <source>People</source>
        <translation>Personen</translation>
    </message>
</context>
<context>
    <name>PolicyBox</name>
    <message>
        <source>Policy: when a manager must approve</source>
        <translation>Regeln: wann die Filialleitung genehmigen muss</translation>
    </message>
    <message>
        <source>e.g. EUR 50.00, JPY 5000 — empty: never</source>
        <extracomment>Where the policy shown comes from (the settings file, or the shop server).</extracomment>
        <translation>z. B. EUR 50,00, JPY 5000 — leer: nie</translation>
    </message>
    <message>
        <source>Refunds above these amounts need a manager</source>
        <translation>Erstattungen über diesen Beträgen brauchen die Filialleitung</translation>
    </message>
    <message>
        <source>e.g. USD 20 — empty: never</source>
        <translation>z. B. EUR 20 — leer: nie</translation>
    </message>
    <message>
        <source>Refunds without a lookup (Poynt) above these amounts need a manager</source>
        <translation>Erstattungen ohne Nachschlagen (Poynt) über diesen Beträgen brauchen die Filialleitung</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>keine Grenze</translation>
    </message>
    <message>
        <source>Refunds per cashier per day without a manager</source>
        <translation>Erstattungen je Kassenkraft und Tag ohne Filialleitung</translation>
    </message>
    <message>
        <source> days</source>
        <translation> Tage</translation>
    </message>
    <message>
        <source>Older sales need a manager</source>
        <translation>Ältere Verkäufe brauchen die Filialleitung</translation>
    </message>
    <message>
        <source>Who may void a sale</source>
        <translation>Wer einen Verkauf stornieren darf</translation>
    </message>
    <message>
        <source>Anyone</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>Managers only</source>
        <translation>Nur die Filialleitung</translation>
    </message>
    <message>
        <source>Refunds above</source>
        <translation>Erstattungen über</translation>
    </message>
    <message>
        <source>Without a lookup, above</source>
        <translation>Ohne Nachschlagen, über</translation>
    </message>
    <message>
        <source>Refunds per cashier per day</source>
        <translation>Erstattungen je Kassenkraft und Tag</translation>
    </message>
    <message>
        <source>Sales older than</source>
        <translation>Verkäufe älter als</translation>
    </message>
    <message>
        <source>Voids</source>
        <translation>Stornierungen</translation>
    </message>
    <message>
        <source>Your PIN, to change the shop&apos;s policy</source>
        <translation>Ihre PIN, um die Regeln des Geschäfts zu ändern</translation>
    </message>
    <message>
        <source>Your PIN (to save the shop&apos;s policy)</source>
        <translation>Ihre PIN (zum Speichern der Regeln des Geschäfts)</translation>
    </message>
    <message>
        <source>In force from {origin}.</source>
        <translation>Gültig aus {origin}.</translation>
    </message>
    <message>
        <source>Type amounts with their currency, e.g. EUR 50.00, JPY 5000 (not “{text}”).</source>
        <translation>Geben Sie Beträge mit ihrer Währung ein, z. B. EUR 50,00, JPY 5000 (nicht „{text}“).</translation>
    </message>
</context>
<context>
    <name>PracticeCard</name>
    <message>
        <source>Practice receipts — pick one, or type its ID</source>
        <translation>Übungsbelege — einen wählen oder seine ID eingeben</translation>
    </message>
    <message>
        <source>Practice receipts</source>
        <translation>Übungsbelege</translation>
    </message>
</context>
<context>
    <name>Printing</name>
    <message>
        <source>Receipt</source>
        <translation>Beleg</translation>
    </message>
    <message>
        <source>{what}: printing on {target}…</source>
        <translation>{what}: wird gedruckt auf {target}…</translation>
    </message>
    <message>
        <source>{what} printed.</source>
        <translation>{what} gedruckt.</translation>
    </message>
    <message>
        <source>No printer is installed on this PC: install one, or choose a receipt printer in Settings. Reprint from History.</source>
        <translation>Auf diesem PC ist kein Drucker installiert: Installieren Sie einen oder wählen Sie einen Belegdrucker in den Einstellungen. Drucken Sie dann erneut aus dem Verlauf.</translation>
    </message>
    <message>
        <source>Print: {what}</source>
        <translation>Drucken: {what}</translation>
    </message>
    <message>
        <source>{what} sent to the printer.</source>
        <translation>{what} an den Drucker gesendet.</translation>
    </message>
    <message>
        <source>Not printed</source>
        <translation>Nicht gedruckt</translation>
    </message>
</context>
<context>
    <name>ReportDialog</name>
    <message>
        <source>End-of-shift report</source>
        <translation>Schichtabschluss</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>Zeitraum</translation>
    </message>
    <message>
        <source>A day</source>
        <translation>Ein Tag</translation>
    </message>
    <message>
        <source>My session ({name})</source>
        <translation>Meine Schicht ({name})</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>Kasse</translation>
    </message>
    <message>
        <source>Every counter</source>
        <translation>Alle Kassen</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>Tag</translation>
    </message>
    <message>
        <source>The report</source>
        <translation>Der Bericht</translation>
    </message>
    <message>
        <source>Report problem</source>
        <translation>Problem mit dem Bericht</translation>
    </message>
    <message>
        <source>&amp;Print  Ctrl+P</source>
        <translation>&amp;Drucken  Strg+P</translation>
    </message>
    <message>
        <source>Save P&amp;DF…</source>
        <translation>Als P&amp;DF speichern…</translation>
    </message>
    <message>
        <source>Save &amp;CSV…</source>
        <translation>Als &amp;CSV speichern…</translation>
    </message>
    <message>
        <source>Close  Esc</source>
        <translation>Schließen  Esc</translation>
    </message>
    <message>
        <source>Session report</source>
        <translation>Schichtbericht</translation>
    </message>
    <message>
        <source>End-of-shift report {day}</source>
        <translation>Schichtabschluss {day}</translation>
    </message>
    <message>
        <source>Reading the journal…</source>
        <translation>Journal wird gelesen…</translation>
    </message>
    <message>
        <source>The shop server could not be read: this report holds only what this PC had kept, and says so. Try again once the shop server answers.</source>
        <translation>Der Filialserver konnte nicht gelesen werden: Dieser Bericht enthält nur, was dieser PC aufbewahrt hatte, und sagt das. Versuchen Sie es erneut, sobald der Filialserver antwortet.</translation>
    </message>
    <message>
        <source>Report</source>
        <translation>Bericht</translation>
    </message>
    <message>
        <source>Save the report as PDF</source>
        <translation>Bericht als PDF speichern</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>Gespeichert: {path}</translation>
    </message>
    <message>
        <source>Save the report as CSV</source>
        <translation>Bericht als CSV speichern</translation>
    </message>
    <message>
        <source>Could not write {path}: {problem}</source>
        <translation>{path} ließ sich nicht schreiben: {problem}</translation>
    </message>
    <message>
        <source>Saved {rows} rows to {path}</source>
        <translation>{rows} Zeilen gespeichert in {path}</translation>
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
    <name>ResultCard</name>
    <message>
        <source>Refund result</source>
        <translation>Ergebnis der Erstattung</translation>
    </message>
    <message>
        <source>Refunded amount</source>
        <translation>Erstatteter Betrag</translation>
    </message>
    <message>
        <source>What to do next</source>
        <translation>Was jetzt zu tun ist</translation>
    </message>
    <message>
        <source>Refund ID</source>
        <translation>Erstattungs-ID</translation>
    </message>
    <message>
        <source>refund ID</source>
        <translation>Erstattungs-ID</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>Referenz</translation>
    </message>
    <message>
        <source>transaction reference</source>
        <translation>Vorgangsreferenz</translation>
    </message>
    <message>
        <source>Trace ID</source>
        <translation>Trace-ID</translation>
    </message>
    <message>
        <source>trace ID</source>
        <translation>Trace-ID</translation>
    </message>
    <message>
        <source>Resolved by hand</source>
        <translation>Von Hand geklärt</translation>
    </message>
    <message>
        <source>Check now  F5</source>
        <translation>Jetzt prüfen  F5</translation>
    </message>
    <message>
        <source>Check now whether this refund went through</source>
        <translation>Jetzt prüfen, ob diese Erstattung durchgegangen ist</translation>
    </message>
    <message>
        <source>Resolve by hand…</source>
        <translation>Von Hand klären…</translation>
    </message>
    <message>
        <source>Resolve this refund by hand</source>
        <translation>Diese Erstattung von Hand klären</translation>
    </message>
    <message>
        <source>Refund it instead  ⏎</source>
        <translation>Stattdessen erstatten  ⏎</translation>
    </message>
    <message>
        <source>Refund this sale instead</source>
        <translation>Diesen Verkauf stattdessen erstatten</translation>
    </message>
    <message>
        <source>New refund  Ctrl+N</source>
        <translation>Neue Erstattung  Strg+N</translation>
    </message>
    <message>
        <source>New refund</source>
        <translation>Neue Erstattung</translation>
    </message>
    <message>
        <source>Print receipt  Ctrl+P</source>
        <translation>Beleg drucken  Strg+P</translation>
    </message>
    <message>
        <source>Print the receipt</source>
        <translation>Den Beleg drucken</translation>
    </message>
    <message>
        <source>No receipt  Ctrl+N</source>
        <translation>Kein Beleg  Strg+N</translation>
    </message>
    <message>
        <source>No receipt: on to a new refund</source>
        <translation>Kein Beleg: weiter zur nächsten Erstattung</translation>
    </message>
</context>
<context>
    <name>SendingCard</name>
    <message>
        <source>Sending the refund… keep this window open.</source>
        <translation>Die Erstattung wird gesendet… lassen Sie dieses Fenster offen.</translation>
    </message>
    <message>
        <source>Time left for the answer</source>
        <translation>Verbleibende Zeit für die Antwort</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Wird gesendet</translation>
    </message>
    <message>
        <source>Cancel  Esc</source>
        <translation>Abbrechen  Esc</translation>
    </message>
    <message>
        <source>Cancel before sending</source>
        <translation>Vor dem Senden abbrechen</translation>
    </message>
</context>
<context>
    <name>SendingPart</name>
    <message>
        <source>Cancelled: nothing was refunded.</source>
        <translation>Abgebrochen: Es wurde nichts erstattet.</translation>
    </message>
    <message>
        <source>A manager must approve this: choose the manager&apos;s name, type the PIN, then press Enter.</source>
        <translation>Eine Filialleitung muss das freigeben: Namen der Filialleitung wählen, PIN eingeben, dann Enter drücken.</translation>
    </message>
    <message>
        <source>TRAINING — no money moves.</source>
        <translation>TRAINING — es fließt kein Geld.</translation>
    </message>
    <message>
        <source>Void the whole sale?</source>
        <translation>Den ganzen Verkauf stornieren?</translation>
    </message>
    <message>
        <source>Confirm void  ⏎</source>
        <translation>Stornierung bestätigen  ⏎</translation>
    </message>
    <message>
        <source>A void cancels the whole sale before it settles: the customer is never charged. It cannot return part of a sale.</source>
        <translation>Eine Stornierung hebt den ganzen Verkauf vor der Abrechnung auf: Die Kundschaft wird nie belastet. Einen Teil eines Verkaufs kann sie nicht zurückgeben.</translation>
    </message>
    <message>
        <source>the full amount</source>
        <translation>den vollen Betrag</translation>
    </message>
    <message>
        <source>Refund the full amount, {amount}, to {card}?</source>
        <translation>Den vollen Betrag, {amount}, auf {card} erstatten?</translation>
    </message>
    <message>
        <source>Refund the full amount, {amount}?</source>
        <translation>Den vollen Betrag, {amount}, erstatten?</translation>
    </message>
    <message>
        <source>Refund {amount} to {card}?</source>
        <translation>{amount} auf {card} erstatten?</translation>
    </message>
    <message>
        <source>Refund {amount}?</source>
        <translation>{amount} erstatten?</translation>
    </message>
    <message>
        <source>Confirm refund  ⏎</source>
        <translation>Erstattung bestätigen  ⏎</translation>
    </message>
    <message>
        <source>The full amount</source>
        <translation>Der volle Betrag</translation>
    </message>
    <message>
        <source>Charge {id}</source>
        <translation>Zahlung {id}</translation>
    </message>
    <message>
        <source>Transaction {id}</source>
        <translation>Vorgang {id}</translation>
    </message>
    <message>
        <source>The manager&apos;s name and PIN were cleared after {minutes} minutes: type them again to approve.</source>
        <translation>Name und PIN der Filialleitung wurden nach {minutes} Minuten gelöscht: Zum Freigeben bitte erneut eingeben.</translation>
    </message>
    <message>
        <source>Practice: the training manager is {name}, PIN {pin}.</source>
        <translation>Übung: Die Trainings-Filialleitung ist {name}, PIN {pin}.</translation>
    </message>
    <message>
        <source>Look a charge up first.</source>
        <translation>Schlagen Sie zuerst eine Zahlung nach.</translation>
    </message>
    <message>
        <source>No manager is set up on this counter.</source>
        <translation>An dieser Kasse ist keine Filialleitung eingerichtet.</translation>
    </message>
    <message>
        <source>{name} is not a manager.</source>
        <translation>{name} gehört nicht zur Filialleitung.</translation>
    </message>
    <message>
        <source>Checking the manager&apos;s PIN…</source>
        <translation>Die PIN der Filialleitung wird geprüft…</translation>
    </message>
    <message>
        <source>Sending… keep this window open.</source>
        <translation>Wird gesendet… lassen Sie dieses Fenster offen.</translation>
    </message>
    <message>
        <source>Cancelling — nothing will be sent…</source>
        <translation>Wird abgebrochen — nichts wird gesendet…</translation>
    </message>
    <message>
        <source>Waiting for the refund journal to record the cancel.</source>
        <translation>Warten, bis das Erstattungsjournal den Abbruch festhält.</translation>
    </message>
    <message>
        <source>The void was sent — keep this window open.</source>
        <translation>Die Stornierung wurde gesendet — lassen Sie dieses Fenster offen.</translation>
    </message>
    <message>
        <source>The refund was sent — keep this window open.</source>
        <translation>Die Erstattung wurde gesendet — lassen Sie dieses Fenster offen.</translation>
    </message>
    <message>
        <source>Waiting for the answer…</source>
        <translation>Warten auf die Antwort…</translation>
    </message>
    <message>
        <source>Waiting for the answer… {seconds} s</source>
        <translation>Warten auf die Antwort… {seconds} s</translation>
    </message>
    <message>
        <source>Waiting for the answer… time is up, finishing.</source>
        <translation>Warten auf die Antwort… die Zeit ist um, wird abgeschlossen.</translation>
    </message>
    <message>
        <source>Waiting for the refund journal (another window or command is using it). Nothing has been sent: Cancel still works.</source>
        <translation>Warten auf das Erstattungsjournal (ein anderes Fenster oder ein Befehl nutzt es). Noch ist nichts gesendet: Abbrechen geht noch.</translation>
    </message>
    <message>
        <source>Recording the refund in the journal…</source>
        <translation>Die Erstattung wird im Journal festgehalten…</translation>
    </message>
    <message>
        <source>Too late to cancel: it was sent. Waiting for the answer…</source>
        <translation>Zu spät zum Abbrechen: Sie wurde gesendet. Warten auf die Antwort…</translation>
    </message>
    <message>
        <source>Full amount</source>
        <translation>Voller Betrag</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Resolving a refund by hand is for managers.</source>
        <translation>Eine Erstattung von Hand klären darf nur die Filialleitung.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>HMAC secret</source>
        <translation>das HMAC-Geheimnis</translation>
    </message>
    <message>
        <source>MSK</source>
        <translation>den MSK</translation>
    </message>
    <message>
        <source>pairing code</source>
        <translation>den Kopplungscode</translation>
    </message>
    <message>
        <source>Settings problem</source>
        <translation>Problem mit den Einstellungen</translation>
    </message>
    <message>
        <source>{problem}
The file is kept as it is until you save; the old one is then kept as settings.toml.bak.</source>
        <translation>{problem}
Die Datei bleibt unverändert, bis Sie speichern; die alte wird dann als settings.toml.bak aufbewahrt.</translation>
    </message>
    <message>
        <source>Set up this counter</source>
        <translation>Diese Kasse einrichten</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Payment back end</source>
        <translation>Zahlungsanbindung</translation>
    </message>
    <message>
        <source>Viopay POS API (cloud)</source>
        <translation>Viopay POS API (Cloud)</translation>
    </message>
    <message>
        <source>Poynt card terminal on this network</source>
        <translation>Poynt-Kartenterminal in diesem Netzwerk</translation>
    </message>
    <message>
        <source>Viopay base URL</source>
        <translation>Viopay-Basis-URL</translation>
    </message>
    <message>
        <source>Terminal ID</source>
        <translation>Terminal-ID</translation>
    </message>
    <message>
        <source>e.g. TERM-001</source>
        <translation>z. B. TERM-001</translation>
    </message>
    <message>
        <source>Key ID</source>
        <translation>Schlüssel-ID</translation>
    </message>
    <message>
        <source>e.g. hmac-key-2025-01</source>
        <translation>z. B. hmac-key-2025-01</translation>
    </message>
    <message>
        <source>Device model</source>
        <translation>Gerätemodell</translation>
    </message>
    <message>
        <source>CA bundle</source>
        <translation>CA-Zertifikate</translation>
    </message>
    <message>
        <source>empty: the system&apos;s trusted certificates</source>
        <translation>leer: die vertrauenswürdigen Zertifikate des Systems</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Choose a CA bundle file</source>
        <translation>Datei mit CA-Zertifikaten wählen</translation>
    </message>
    <message>
        <source>MSK (64 hex digits)</source>
        <translation>MSK (64 Hex-Ziffern)</translation>
    </message>
    <message>
        <source>MSK key check value</source>
        <translation>Prüfwert des MSK</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Verbindung testen</translation>
    </message>
    <message>
        <source>Connection test result</source>
        <translation>Ergebnis des Verbindungstests</translation>
    </message>
    <message>
        <source>Base URL</source>
        <translation>Basis-URL</translation>
    </message>
    <message>
        <source>Terminal IP address</source>
        <translation>IP-Adresse des Terminals</translation>
    </message>
    <message>
        <source>e.g. 192.168.1.23</source>
        <translation>z. B. 192.168.1.23</translation>
    </message>
    <message>
        <source>Terminal port</source>
        <translation>Port des Terminals</translation>
    </message>
    <message>
        <source>Pairing code shown on the terminal</source>
        <translation>Kopplungscode, den das Terminal zeigt</translation>
    </message>
    <message>
        <source>Pair with the terminal</source>
        <translation>Mit dem Terminal koppeln</translation>
    </message>
    <message>
        <source>Pairing result</source>
        <translation>Ergebnis der Kopplung</translation>
    </message>
    <message>
        <source>On the terminal, open POS Bridge and press CONNECT: it shows its IP address and a pairing code.</source>
        <translation>Öffnen Sie am Terminal POS Bridge und drücken Sie CONNECT: Es zeigt seine IP-Adresse und einen Kopplungscode.</translation>
    </message>
    <message>
        <source>IP address</source>
        <translation>IP-Adresse</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <source>Pairing code</source>
        <translation>Kopplungscode</translation>
    </message>
    <message>
        <source>Default currency</source>
        <translation>Standardwährung</translation>
    </message>
    <message>
        <source>e.g. EUR (used where the back end cannot tell)</source>
        <translation>z. B. EUR (wo die Anbindung sie nicht nennt)</translation>
    </message>
    <message>
        <source>Number format</source>
        <translation>Zahlenformat</translation>
    </message>
    <message>
        <source>empty: this PC&apos;s language, or e.g. de_DE</source>
        <translation>leer: Sprache dieses PCs, oder z. B. de_DE</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Connect timeout in seconds</source>
        <translation>Zeitlimit für den Verbindungsaufbau in Sekunden</translation>
    </message>
    <message>
        <source>Answer timeout in seconds</source>
        <translation>Zeitlimit für die Antwort in Sekunden</translation>
    </message>
    <message>
        <source>Back end</source>
        <translation>Anbindung</translation>
    </message>
    <message>
        <source>Shop currency</source>
        <translation>Währung des Geschäfts</translation>
    </message>
    <message>
        <source>Connect timeout</source>
        <translation>Zeitlimit Verbindung</translation>
    </message>
    <message>
        <source>Answer timeout</source>
        <translation>Zeitlimit Antwort</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Save settings</source>
        <translation>Einstellungen speichern</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Connection and secrets</source>
        <translation>Verbindung und Geheimnisse</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Verbindung</translation>
    </message>
    <message>
        <source>Receipts and language</source>
        <translation>Belege und Sprache</translation>
    </message>
    <message>
        <source>Receipts</source>
        <translation>Belege</translation>
    </message>
    <message>
        <source>Policy (managers)</source>
        <translation>Regeln (Filialleitung)</translation>
    </message>
    <message>
        <source>Policy</source>
        <translation>Regeln</translation>
    </message>
    <message>
        <source>Shop server</source>
        <translation>Filialserver</translation>
    </message>
    <message>
        <source>Set up this counter once: choose the back end, type the details your payment provider gave you, then test.</source>
        <translation>Richten Sie diese Kasse einmal ein: Wählen Sie die Anbindung, geben Sie die Daten Ihres Zahlungsanbieters ein und testen Sie dann.</translation>
    </message>
    <message>
        <source>The shop&apos;s policy applies at every counter, so only a manager changes it: this counter has no people yet (add a manager in People…).</source>
        <translation>Die Regeln des Geschäfts gelten an jeder Kasse, darum ändert sie nur die Filialleitung: An dieser Kasse gibt es noch keine Personen (legen Sie unter Personen… eine Filialleitung an).</translation>
    </message>
    <message>
        <source>not set yet</source>
        <translation>noch nicht gesetzt</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt)</source>
        <translation>Zertifikate (*.pem *.crt)</translation>
    </message>
    <message>
        <source>Key check value: {kcv} — compare it with the one your payment provider gave you</source>
        <translation>Prüfwert: {kcv} — vergleichen Sie ihn mit dem Ihres Zahlungsanbieters</translation>
    </message>
    <message>
        <source>Default currency: {problem}</source>
        <translation>Standardwährung: {problem}</translation>
    </message>
    <message>
        <source>{field} is empty: type the one your payment provider gave you.</source>
        <translation>{field} ist leer: Geben Sie den Wert Ihres Zahlungsanbieters ein.</translation>
    </message>
    <message>
        <source>The shop&apos;s policy is saved with your PIN, checked by the shop server: type it in Policy → Your PIN. Nothing was saved.</source>
        <translation>Die Regeln des Geschäfts werden mit Ihrer PIN gespeichert, die der Shop-Server prüft: Geben Sie sie unter Regeln → Ihre PIN ein. Es wurde nichts gespeichert.</translation>
    </message>
    <message>
        <source> and the </source>
        <translation> und </translation>
    </message>
    <message>
        <source>Type the {secrets}: nothing is stored yet.</source>
        <translation>Geben Sie {secrets} ein: Noch ist nichts gespeichert.</translation>
    </message>
    <message>
        <source>The shop&apos;s policy was changed at another counter while Settings was open (now {origin}), so nothing was saved. Close Settings and open it again to see it.</source>
        <translation>Die Regeln des Geschäfts wurden an einer anderen Kasse geändert, während die Einstellungen offen waren (jetzt {origin}), darum wurde nichts gespeichert. Schließen Sie die Einstellungen und öffnen Sie sie erneut, um sie zu sehen.</translation>
    </message>
    <message>
        <source>stored in the keyring — leave empty to keep it</source>
        <extracomment>A stored secret&apos;s placeholder: shown through SettingsDialog.tr.</extracomment>
        <translation>im Schlüsselbund gespeichert — leer lassen, um ihn zu behalten</translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation>Wird getestet…</translation>
    </message>
    <message>
        <source>Type the HMAC secret and the MSK first.</source>
        <translation>Geben Sie zuerst das HMAC-Geheimnis und den MSK ein.</translation>
    </message>
    <message>
        <source>Type the pairing code the terminal shows.</source>
        <translation>Geben Sie den Kopplungscode ein, den das Terminal zeigt.</translation>
    </message>
    <message>
        <source>Paired with terminal {serial}.</source>
        <translation>Mit Terminal {serial} gekoppelt.</translation>
    </message>
</context>
<context>
    <name>ShopServerBox</name>
    <message>
        <source>Shop server (all counters of the shop)</source>
        <extracomment>The form of the address (not words: the same in every language).</extracomment>
        <translation>Filialserver (alle Kassen der Filiale)</translation>
    </message>
    <message>
        <source>This counter is part of a shop</source>
        <translation>Diese Kasse gehört zu einer Filiale</translation>
    </message>
    <message>
        <source>Shop server address</source>
        <translation>Adresse des Filialservers</translation>
    </message>
    <message>
        <source>Till 2</source>
        <translation>Kasse 2</translation>
    </message>
    <message>
        <source>This counter&apos;s name in the shop</source>
        <translation>Name dieser Kasse in der Filiale</translation>
    </message>
    <message>
        <source>the system&apos;s certificates</source>
        <translation>die Zertifikate des Systems</translation>
    </message>
    <message>
        <source>CA file for the shop server</source>
        <translation>CA-Datei für den Filialserver</translation>
    </message>
    <message>
        <source>kept in the OS keyring; empty keeps it</source>
        <translation>im Schlüsselbund des Systems; leer lässt es unverändert</translation>
    </message>
    <message>
        <source>Shop server password</source>
        <translation>Passwort des Filialservers</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Verbindung testen</translation>
    </message>
    <message>
        <source>Test the connection to the shop server</source>
        <translation>Die Verbindung zum Filialserver testen</translation>
    </message>
    <message>
        <source>Shop server test result</source>
        <translation>Ergebnis des Filialserver-Tests</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Counter name</source>
        <translation>Name der Kasse</translation>
    </message>
    <message>
        <source>CA file</source>
        <translation>CA-Datei</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Passwort</translation>
    </message>
    <message>
        <source>Shop server: {problem}</source>
        <translation>Filialserver: {problem}</translation>
    </message>
    <message>
        <source>Reaching the shop server…</source>
        <translation>Filialserver wird erreicht…</translation>
    </message>
    <message>
        <source>The shop server answers (tables at version {version}), {tls}; its clock is {seconds} s from this PC&apos;s.</source>
        <translation>Der Filialserver antwortet (Tabellen auf Version {version}), {tls}; seine Uhr weicht {seconds} s von der dieses PCs ab.</translation>
    </message>
    <message>
        <source>encrypted</source>
        <translation>verschlüsselt</translation>
    </message>
    <message>
        <source>not encrypted</source>
        <translation>nicht verschlüsselt</translation>
    </message>
    <message>
        <source>This counter&apos;s database user may not call the shop&apos;s functions: ask the server&apos;s administrator.</source>
        <translation>Der Datenbankbenutzer dieser Kasse darf die Funktionen der Filiale nicht aufrufen: Fragen Sie den Administrator des Servers.</translation>
    </message>
</context>
<context>
    <name>Shortcuts</name>
    <message>
        <source>A scan — starts over with the scanned receipt, from anywhere</source>
        <translation>Ein Scan — beginnt mit dem gescannten Beleg neu, von überall</translation>
    </message>
    <message>
        <source>Enter — look up / next step / press the focused button</source>
        <translation>Enter — nachschlagen / nächster Schritt / markierte Schaltfläche drücken</translation>
    </message>
    <message>
        <source>Esc — step back one stage</source>
        <translation>Esc — einen Schritt zurück</translation>
    </message>
    <message>
        <source>F6 — go to the charge ID field</source>
        <translation>F6 — zum Feld für die Zahlungs-ID</translation>
    </message>
    <message>
        <source>Alt+F / Alt+P — full / partial refund</source>
        <translation>Alt+V / Alt+T — volle / teilweise Erstattung</translation>
    </message>
    <message>
        <source>Alt+A, Alt+R, Alt+N — amount, reason, note</source>
        <translation>Alt+B, Alt+G, Alt+N — Betrag, Grund, Notiz</translation>
    </message>
    <message>
        <source>Ctrl+N — new refund</source>
        <translation>Strg+N — neue Erstattung</translation>
    </message>
    <message>
        <source>F5 — Check now: refunds with no answer</source>
        <translation>F5 — Jetzt prüfen: Erstattungen ohne Antwort</translation>
    </message>
    <message>
        <source>Ctrl+H — history</source>
        <translation>Strg+H — Verlauf</translation>
    </message>
    <message>
        <source>Ctrl+P — print the receipt of the answer on screen</source>
        <translation>Strg+P — den Beleg der angezeigten Antwort drucken</translation>
    </message>
    <message>
        <source>Alt+V — void the sale (today&apos;s, not settled yet)</source>
        <translation>Alt+S — den Verkauf stornieren (von heute, noch nicht abgerechnet)</translation>
    </message>
    <message>
        <source>F1 — how refunds work, and these shortcuts</source>
        <translation>F1 — so geht eine Erstattung, und diese Tastenkürzel</translation>
    </message>
    <message>
        <source>Ctrl+L — sign out (the next person signs in)</source>
        <translation>Strg+L — abmelden (die nächste Person meldet sich an)</translation>
    </message>
    <message>
        <source>Ctrl+Q — quit</source>
        <translation>Strg+Q — beenden</translation>
    </message>
</context>
<context>
    <name>SignInPage</name>
    <message>
        <source>Sign in</source>
        <translation>Anmelden</translation>
    </message>
    <message>
        <source>Choose your name (type its first letter or use ↑ ↓), type your PIN and press Enter.</source>
        <translation>Wählen Sie Ihren Namen (ersten Buchstaben tippen oder ↑ ↓), geben Sie Ihre PIN ein und drücken Sie Enter.</translation>
    </message>
    <message>
        <source>Scanned receipt</source>
        <translation>Gescannter Beleg</translation>
    </message>
    <message>
        <source>Type your PIN and press Enter.</source>
        <translation>Geben Sie Ihre PIN ein und drücken Sie Enter.</translation>
    </message>
    <message>
        <source>Choose your name, then type your PIN again.</source>
        <translation>Wählen Sie Ihren Namen und geben Sie Ihre PIN erneut ein.</translation>
    </message>
    <message>
        <source>Receipt {charge} scanned: sign in first, it is looked up then.</source>
        <translation>Beleg {charge} gescannt: Melden Sie sich zuerst an, dann wird er nachgeschlagen.</translation>
    </message>
    <message>
        <source>Checking the PIN…</source>
        <translation>PIN wird geprüft…</translation>
    </message>
</context>
<context>
    <name>StartPage</name>
    <message>
        <source>This counter is not set up yet</source>
        <translation>Diese Kasse ist noch nicht eingerichtet</translation>
    </message>
    <message>
        <source>Set-up problem</source>
        <translation>Problem bei der Einrichtung</translation>
    </message>
    <message>
        <source>Practise with the built-in training service — no money moves — or set this counter up with its Viopay or Poynt terminal details.</source>
        <translation>Üben Sie mit dem eingebauten Trainingsdienst — es fließt kein Geld — oder richten Sie diese Kasse mit den Daten ihres Viopay- oder Poynt-Terminals ein.</translation>
    </message>
    <message>
        <source>Practise in &amp;training mode</source>
        <translation>Im &amp;Trainingsmodus üben</translation>
    </message>
    <message>
        <source>Start training mode</source>
        <translation>Trainingsmodus starten</translation>
    </message>
    <message>
        <source>&amp;Set up this counter…</source>
        <translation>Diese Kasse &amp;einrichten…</translation>
    </message>
    <message>
        <source>Set up this counter</source>
        <translation>Diese Kasse einrichten</translation>
    </message>
</context>
<context>
    <name>UnknownBanner</name>
    <message>
        <source>Refunds that need checking</source>
        <translation>Erstattungen, die geprüft werden müssen</translation>
    </message>
    <message>
        <source>Check now  F5</source>
        <translation>Jetzt prüfen  F5</translation>
    </message>
    <message>
        <source>Check refunds with no answer</source>
        <translation>Erstattungen ohne Antwort prüfen</translation>
    </message>
    <message>
        <source>Resolve by hand…</source>
        <translation>Von Hand klären…</translation>
    </message>
    <message>
        <source>List refunds with no answer, resolve by hand</source>
        <translation>Erstattungen ohne Antwort anzeigen, von Hand klären</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Wird geprüft…</translation>
    </message>
    <message>
        <source>1 refund needs checking: the answer was lost.</source>
        <translation>1 Erstattung muss geprüft werden: Die Antwort ging verloren.</translation>
    </message>
    <message>
        <source>{n} refunds need checking: the answer was lost.</source>
        <translation>{n} Erstattungen müssen geprüft werden: Die Antwort ging verloren.</translation>
    </message>
    <message>
        <source>Do not refund again until checked.</source>
        <translation>Nicht noch einmal erstatten, bevor geprüft ist.</translation>
    </message>
    <message>
        <source>({n} more being sent.)</source>
        <translation>({n} weitere werden gesendet.)</translation>
    </message>
    <message>
        <source>1 refund is being sent (in another window or command): wait for its answer before refunding that payment.</source>
        <translation>1 Erstattung wird gesendet (in einem anderen Fenster oder Befehl): Warten Sie auf ihre Antwort, bevor Sie diese Zahlung erstatten.</translation>
    </message>
    <message>
        <source>{n} refunds are being sent (in another window or command): wait for their answers before refunding those payments.</source>
        <translation>{n} Erstattungen werden gesendet (in einem anderen Fenster oder Befehl): Warten Sie auf ihre Antworten, bevor Sie diese Zahlungen erstatten.</translation>
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
        <source>voided</source>
        <extracomment>Text colours for a state (on white), the same families as the result cards. An approved void: the sale is cancelled, nothing was refunded (lower case, a table&apos;s).</extracomment>
        <translation>storniert</translation>
    </message>
    <message>
        <source>{state} — by hand ({who})</source>
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
<context>
    <name>words</name>
    <message>
        <source>What to do: do not refund this payment again. Press Check now (F5). If it still cannot tell, look the refund up on the terminal or the payment service&apos;s website, then press Resolve by hand.</source>
        <translation>Was zu tun ist: Erstatten Sie diese Zahlung nicht noch einmal. Drücken Sie Jetzt prüfen (F5). Lässt es sich dann noch nicht sagen, schlagen Sie die Erstattung am Terminal oder auf der Website des Zahlungsdienstes nach und drücken Sie dann Von Hand klären.</translation>
    </message>
    <message>
        <source>Refund approved</source>
        <extracomment>(card colour role, title, what it means / what to do)</extracomment>
        <translation>Erstattung genehmigt</translation>
    </message>
    <message>
        <source>The money goes back to the card.</source>
        <translation>Das Geld geht auf die Karte zurück.</translation>
    </message>
    <message>
        <source>Refund declined</source>
        <translation>Erstattung abgelehnt</translation>
    </message>
    <message>
        <source>The card&apos;s bank declined it: nothing was refunded. Offer another way.</source>
        <translation>Die Bank der Karte hat abgelehnt: Es wurde nichts erstattet. Bieten Sie einen anderen Weg an.</translation>
    </message>
    <message>
        <source>Refund pending</source>
        <translation>Erstattung ausstehend</translation>
    </message>
    <message>
        <source>It was accepted and will be confirmed later. It is in History.</source>
        <translation>Sie wurde angenommen und wird später bestätigt. Sie steht im Verlauf.</translation>
    </message>
    <message>
        <source>Not refunded</source>
        <translation>Nicht erstattet</translation>
    </message>
    <message>
        <source>The refund was refused: nothing was refunded.</source>
        <translation>Die Erstattung wurde verweigert: Es wurde nichts erstattet.</translation>
    </message>
    <message>
        <source>Outcome unknown — check before refunding again</source>
        <translation>Ergebnis unbekannt — vor erneutem Erstatten prüfen</translation>
    </message>
    <message>
        <source>The answer was lost on the way back.</source>
        <translation>Die Antwort ging auf dem Rückweg verloren.</translation>
    </message>
    <message>
        <source>Being sent</source>
        <translation>Wird gesendet</translation>
    </message>
    <message>
        <source>Wait for its answer.</source>
        <translation>Warten Sie auf ihre Antwort.</translation>
    </message>
    <message>
        <source>Not sent — nothing refunded</source>
        <translation>Nicht gesendet — nichts erstattet</translation>
    </message>
    <message>
        <source>The request did not reach the payment service. Check the connection, then try again.</source>
        <translation>Die Anfrage hat den Zahlungsdienst nicht erreicht. Prüfen Sie die Verbindung und versuchen Sie es dann erneut.</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Cancelled before it was sent: nothing was refunded.</source>
        <translation>Vor dem Senden abgebrochen: Es wurde nichts erstattet.</translation>
    </message>
    <message>
        <source>Sale voided</source>
        <translation>Verkauf storniert</translation>
    </message>
    <message>
        <source>The customer is never charged for this sale.</source>
        <translation>Die Kundschaft wird für diesen Verkauf nie belastet.</translation>
    </message>
    <message>
        <source>Void refused</source>
        <translation>Stornierung verweigert</translation>
    </message>
    <message>
        <source>Nothing was voided.</source>
        <translation>Es wurde nichts storniert.</translation>
    </message>
    <message>
        <source>Not voided</source>
        <translation>Nicht storniert</translation>
    </message>
    <message>
        <source>Not sent — nothing voided</source>
        <translation>Nicht gesendet — nichts storniert</translation>
    </message>
    <message>
        <source>Check the connection, then try again.</source>
        <translation>Prüfen Sie die Verbindung und versuchen Sie es dann erneut.</translation>
    </message>
    <message>
        <source>Cancelled before it was sent: nothing was voided.</source>
        <translation>Vor dem Senden abgebrochen: Es wurde nichts storniert.</translation>
    </message>
    <message>
        <source>Approved — do not refund again</source>
        <extracomment>One line per attempt on the charge card: the settled outcome says what to do.</extracomment>
        <translation>Genehmigt — nicht noch einmal erstatten</translation>
    </message>
    <message>
        <source>Pending — do not refund again</source>
        <translation>Ausstehend — nicht noch einmal erstatten</translation>
    </message>
    <message>
        <source>Not made — you can refund</source>
        <translation>Nicht erfolgt — Sie können erstatten</translation>
    </message>
    <message>
        <source>No answer — press Check now (F5)</source>
        <translation>Keine Antwort — Jetzt prüfen (F5) drücken</translation>
    </message>
    <message>
        <source>Being sent — wait</source>
        <translation>Wird gesendet — warten</translation>
    </message>
    <message>
        <source>Voided — the customer is not charged</source>
        <translation>Storniert — der Karte wird nichts belastet</translation>
    </message>
    <message>
        <source>Void pending — do not refund</source>
        <translation>Stornierung ausstehend — nicht erstatten</translation>
    </message>
    <message>
        <source>Already settled: refund it instead</source>
        <translation>Schon abgerechnet: Stattdessen erstatten</translation>
    </message>
    <message>
        <source>This sale is already settled, so it cannot be voided. Press Enter to refund it.</source>
        <translation>Dieser Verkauf ist schon abgerechnet und kann nicht storniert werden. Drücken Sie Enter, um ihn zu erstatten.</translation>
    </message>
    <message>
        <source>Refunded — checked by hand</source>
        <translation>Erstattet — von Hand geprüft</translation>
    </message>
    <message>
        <source>The money went back to the card, as checked by hand.</source>
        <translation>Das Geld ging auf die Karte zurück, wie von Hand geprüft.</translation>
    </message>
    <message>
        <source>Not refunded, as checked by hand: this payment can be refunded again.</source>
        <translation>Nicht erstattet, wie von Hand geprüft: Diese Zahlung kann erneut erstattet werden.</translation>
    </message>
    <message>
        <source>{title} (training)</source>
        <translation>{title} (Training)</translation>
    </message>
    <message>
        <source>void</source>
        <translation>Stornierung</translation>
    </message>
    <message>
        <source>full</source>
        <translation>voll</translation>
    </message>
    <message>
        <source>(checked by hand by {who})</source>
        <translation>(von Hand geprüft von {who})</translation>
    </message>
    <message>
        <source>No earlier refunds.</source>
        <translation>Keine früheren Erstattungen.</translation>
    </message>
    <message>
        <source>… {n} more before these</source>
        <translation>… {n} weitere davor</translation>
    </message>
    <message>
        <source>Earlier refunds:</source>
        <translation>Frühere Erstattungen:</translation>
    </message>
    <message>
        <source>nothing, as far as this counter knows</source>
        <translation>nichts, soweit diese Kasse weiß</translation>
    </message>
    <message>
        <source>in full (by this counter)</source>
        <translation>vollständig (von dieser Kasse)</translation>
    </message>
    <message>
        <source>{amount} (by this counter)</source>
        <translation>{amount} (von dieser Kasse)</translation>
    </message>
</context>
</TS>
