"""The currencies a counter knows (money.py: Babel's CLDR data, 2.18), with the number of
decimals of each one's minor unit (ISO 4217's exponent), for the shop server's policy check
(migration 7): an amount the server accepts is one every counter reads. Frozen with the
migration: tests/shop/test_policy_amounts.py compares it with money.py, and a difference is a
new migration, not an edit here."""

from __future__ import annotations

_DIGITS_0 = """
    ADP AFN ALL BIF BYR CLP DJF ESP GNF IQD IRR ISK ITL JPY KMF KPW KRW LAK LBP LUF MGA MGF
    MMK MRO PYG RSD RWF SLL SOS STD SYP TMM TRL UGX UYI VND VUV XAF XOF XPF YER ZMK ZWD
"""
_DIGITS_3 = """
    BHD JOD KWD LYD OMR TND
"""
_DIGITS_4 = """
    CLF UYW
"""
_DIGITS_2 = """
    AED AFA ALK AMD ANG AOA AOK AON AOR ARA ARL ARM ARP ARS ATS AUD AWG AZM AZN BAD BAM BAN
    BBD BDT BEC BEF BEL BGL BGM BGN BGO BMD BND BOB BOL BOP BOV BRB BRC BRE BRL BRN BRR BRZ
    BSD BTN BUK BWP BYB BYN BZD CAD CDF CHE CHF CHW CLE CNH CNX CNY COP COU CRC CSD CSK CUC
    CUP CVE CYP CZK DDM DEM DKK DOP DZD ECS ECV EEK EGP ERN ESA ESB ETB EUR FIM FJD FKP FRF
    GBP GEK GEL GHC GHS GIP GMD GNS GQE GRD GTQ GWE GWP GYD HKD HNL HRD HRK HTG HUF IDR IEP
    ILP ILR ILS INR ISJ JMD KES KGS KHR KRH KRO KYD KZT LKR LRD LSL LTL LTT LUC LUL LVL LVR
    MAD MAF MCF MDC MDL MKD MKN MLF MNT MOP MRU MTL MTP MUR MVP MVR MWK MXN MXP MXV MYR MZE
    MZM MZN NAD NGN NIC NIO NLG NOK NPR NZD PAB PEI PEN PES PGK PHP PKR PLN PLZ PTE QAR RHD
    ROL RON RUB RUR SAR SBD SCR SDD SDG SDP SEK SGD SHP SIT SKK SLE SRD SRG SSP STN SUR SVC
    SZL THB TJR TJS TMT TOP TPE TRY TTD TWD TZS UAH UAK UGS USD USN USS UYP UYU UZS VEB VED
    VEF VES VNN WST XAG XAU XBA XBB XBC XBD XCD XCG XDR XEU XFO XFU XPD XPT XRE XSU XTS XUA
    XXX YDD YUD YUM YUN YUR ZAL ZAR ZMW ZRN ZRZ ZWG ZWL ZWR
"""

#: ISO 4217 code → decimals of its minor unit (JPY 0, EUR 2, KWD 3, CLF 4).
CURRENCY_DIGITS: dict[str, int] = {
    code: digits
    for digits, codes in ((0, _DIGITS_0), (2, _DIGITS_2), (3, _DIGITS_3), (4, _DIGITS_4))
    for code in codes.split()
}

_ROWS = ", ".join(f"('{code}', {digits})" for code, digits in sorted(CURRENCY_DIGITS.items()))

#: The table and its rows, for migration 7 (constants only: no input reaches this text).
CURRENCIES_SQL = (
    """CREATE TABLE shop_currencies (
        code text PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
        digits integer NOT NULL CHECK (digits BETWEEN 0 AND 4))""",
    "INSERT INTO shop_currencies (code, digits) VALUES " + _ROWS,  # noqa: S608
)
