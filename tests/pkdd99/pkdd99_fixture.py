"""A tiny hand-made PKDD'99 folder holding every format trap of the real files (SOURCE.md).

Traps: CRLF line ends, `;` separators, quoted headers and the unquoted district header, `?` in
district A12/A15 and in a k_symbol, the blank variants `""`, `" "` and empty fields, the VYBER
transaction type, card.issued with a dummy time, women's birth months + 50, a zero amount,
unknown codes and an unknown account (left for Silver). The expected Bronze rows are written out by hand in the tests.
"""

from __future__ import annotations

from pathlib import Path

FILES: dict[str, list[str]] = {
    "district.asc": [
        "A1;A2;A3;A4;A5;A6;A7;A8;A9;A10;A11;A12;A13;A14;A15;A16",
        '1;"Hl.m. Praha";"Prague";1204953;0;0;0;1;1;100.0;12541;0.29;0.43;167;85677;99107',
        '69;"Jesenik";"north Moravia";42821;4;13;5;1;3;48.4;8173;?;7.01;124;?;1358',
    ],
    "client.asc": [
        '"client_id";"birth_number";"district_id"',
        '1;"706213";1',  # woman (62 = 12 + 50), born 1970-12-13
        '2;"450204";69',  # man, born 1945-02-04, district with '?' demographics
        '3;"825506";1',  # woman (55 = 5 + 50), born 1982-05-06, junior card
        '4;"600115";69',  # man, a disponent on account 20
    ],
    "account.asc": [
        '"account_id";"district_id";"frequency";"date"',
        '10;1;"POPLATEK MESICNE";930101',
        '20;69;"POPLATEK TYDNE";950315',
        '30;1;"POPLATEK PO OBRATU";971229',
    ],
    "disp.asc": [
        '"disp_id";"client_id";"account_id";"type"',
        '1;1;10;"OWNER"',
        '2;2;20;"OWNER"',
        '3;3;30;"OWNER"',
        '4;4;20;"DISPONENT"',
    ],
    "card.asc": [
        '"card_id";"disp_id";"type";"issued"',
        '7;1;"gold";951107 00:00:00',
        '8;3;"junior";980101 00:00:00',
    ],
    "loan.asc": [
        '"loan_id";"account_id";"date";"amount";"duration";"payments";"status"',
        '100;10;930705;96396;12;8033.00;"B"',
        '101;20;960131;10000;12;888.49;"D"',  # 1 % a month: the annuity rate is 12 % a year
        '102;30;981208;60000;60;1000.00;"C"',
        '103;20;960229;24000;24;1000.00;"A"',  # leap day: matures on 1998-02-28
    ],
    "order.asc": [
        '"order_id";"account_id";"bank_to";"account_to";"amount";"k_symbol"',
        '1;10;"YZ";"87144583";2452.00;"SIPO"',
        '2;10;"ST";"89597016";300.00;" "',
    ],
    "trans.asc": [
        '"trans_id";"account_id";"date";"type";"operation";"amount";"balance";"k_symbol";"bank";"account"',
        '1;10;930101;"PRIJEM";"VKLAD";700.00;700.00;"";;',
        '2;10;930105;"VYDAJ";"PREVOD NA UCET";2452.00;-1752.00;"SIPO";"YZ";"87144583"',
        '3;10;930106;"VYDAJ";"PREVOD NA UCET";300.00;-2052.00;" ";"ST";"89597016"',
        '4;10;930107;"VYDAJ";"PREVOD NA UCET";999.00;-3051.00;"POJISTNE";"AB";"1234"',
        '5;10;930131;"PRIJEM";"";12.30;-3038.70;"UROK";;',
        '6;10;930131;"VYDAJ";"VYBER";14.60;-3053.30;"SLUZBY";;',
        '7;20;950320;"VYBER";"VYBER";5000.00;4000.00;"";"";"0"',
        '8;20;950321;"VYDAJ";"VYBER KARTOU";1500.00;2500.00;" ";;',
        '9;20;950322;"PRIJEM";"PREVOD Z UCTU";9000.00;11500.00;"DUCHOD";"QR";"55"',
        '10;20;950331;"VYDAJ";"VYBER";0.00;11500.00;"SANKC. UROK";;',
        '11;30;971231;"VYDAJ";"VYBER";100.00;-100.00;?;;',
        '12;30;980101;"XYZ";"NOVA";5.00;-105.00;;;',
        '13;99;980102;"PRIJEM";"VKLAD";50.00;50.00;"";;',  # account 99 does not exist
    ],
}


def write_fixture(folder: Path, files: dict[str, list[str]] | None = None) -> Path:
    """Write the fixture files with CRLF line ends, as the real files have them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in (files or FILES).items():
        (folder / name).write_bytes(("\r\n".join(lines) + "\r\n").encode("ascii"))
    return folder
