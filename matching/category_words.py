"""The words that point to each kind of request or offer, in Dutch and English.

Data only; the matching lives in :mod:`matching.categories`. Words are written naturally
(accents, hyphens, capitals are fine): they are normalised when the index is built.

Each category lists three tiers:

- core: words that on their own say what the request is about ("boodschappen", "ladder");
- related: words that usually mean this category but sometimes another ("winkel", "kapot");
- hints: weak clues that only decide when nothing stronger is present ("fiets", "maken").

Inflections are listed on purpose (plural, diminutive, verb forms): fuzzy matching forgives a
typo, but "klusjes" -> "klus" is too far for a safe cutoff. Compounds ("belastingaangifte",
"hondenuitlaatservice") are found by splitting on known words, so they need no entry.

Per the copy guide, the keys are neutral activities, never labels for people or care words.
Some care words are still *recognised* in what people type (see the company and paperwork
lists) so that "ik voel me eenzaam" finds company; they only ever map to a neutral category.
"""

from __future__ import annotations

from dataclasses import dataclass


def _terms(listing: str) -> tuple[str, ...]:
    """Split a comma-separated listing into its terms (a term may have spaces)."""
    return tuple(term.strip() for term in listing.split(",") if term.strip())


def _words(listing: str) -> frozenset[str]:
    return frozenset(listing.split())


@dataclass(frozen=True, slots=True)
class CategoryWords:
    """The vocabulary of one category, in three tiers of strength."""

    key: str
    core: tuple[str, ...]
    related: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()


GROCERIES = CategoryWords(
    key="groceries",
    core=_terms(
        """
        boodschappen, boodschap, boodschapje, boodschapjes, boodschappenlijst,
        boodschappenlijstje, boodschappentas, boodschappen doen, boodschappen halen,
        boodschappen brengen, supermarkt, supermarkten, groceries, grocery,
        grocery shopping, food shopping, supermarket, supermarkets, shopping,
        do my shopping, get my shopping
        """
    ),
    related=_terms(
        """
        winkel, winkels, winkelen, winkeltje, inkopen, inkoop, albert heijn, jumbo, lidl,
        aldi, kruidvat, etos, hema, markt, weekmarkt, bakker, slager, groenteboer, drogist,
        apotheek, medicijnen, medicijnen ophalen, recept ophalen, shop, shops, store,
        stores, pharmacy, chemist, prescription, prescriptions, bakery, butcher, market,
        errand, errands
        """
    ),
    hints=_terms(
        """
        halen, ophalen, haalt, melk, brood, groente, groenten, fruit, tassen, tas, milk,
        bread, bags, pick up, fetch
        """
    ),
)

SMALL_JOBS = CategoryWords(
    key="small_jobs",
    core=_terms(
        """
        klus, klusje, klusjes, klussen, klust, klusser, karwei, karweitje, karweitjes,
        repareren, repareert, reparatie, reparaties, odd job, odd jobs, small job,
        small jobs, diy, handyman, handy man, repair, repairs, fix, fixing, fixed, chores
        """
    ),
    related=_terms(
        """
        kapot, kapotte, lekt, lekkage, lekkende, boren, gaatje, gaatjes, ophangen, hangen,
        schilderij, schilderijen, schilderen, verven, behangen, monteren, in elkaar zetten,
        ikea, kast, kastje, meubel, meubels, schroeven, schroevendraaier, spijker, spijkers,
        plank, planken, kraan, lamp, lampje, gordijnen, gordijnrails, fietsband, lekke band,
        band plakken, verhuizen, verhuizing, verhuis, sjouwen, tillen, broken, leak,
        leaking, leaks, drill a hole, hang up, shelf, shelves, paint, painting, wallpaper,
        assemble, assembling, furniture, flat tyre, flat tire, puncture, tap, light bulb,
        curtains, moving house, move house, heavy lifting, carry, carrying, lift something,
        sneeuw ruimen, snow, gutter, dakgoot, vuilnisbak, vuilniszak, kliko, container,
        afval, bins, rubbish, trash
        """
    ),
    hints=_terms(
        """
        maken, stuk, zwaar, fiets, fietsen, bike, bicycle, deur, door, raam, window, slot,
        lock, stopcontact, boormachine
        """
    ),
)

TRANSPORT = CategoryWords(
    key="transport",
    core=_terms(
        """
        vervoer, vervoeren, rit, ritje, ritjes, meerijden, mee rijden, meerijder, lift,
        liftje, lift geven, een lift, rijden, rijdt, wegbrengen, brengen en halen,
        halen en brengen, carpool, carpoolen, autorit, transport, ride, rides,
        give me a lift, a lift, drive, drive me, driving, take me, taxi, chauffeur,
        chauffeuren
        """
    ),
    related=_terms(
        """
        auto, car, ziekenhuis, hospital, huisarts, dokter, doctor, gp, tandarts, dentist,
        fysio, fysiotherapeut, physio, afspraak, appointment, station, treinstation,
        vliegveld, schiphol, airport, rolstoel, wheelchair, meegaan, meekomen, come along,
        accompany, begeleiden, brengen, bus, trein, train
        """
    ),
    hints=_terms(
        """
        ophalen, pick up, reizen, travel
        """
    ),
)

COMPANY = CategoryWords(
    key="company",
    core=_terms(
        """
        gezelschap, gezellig, gezelligheid, koffie, koffietje, bakkie, kopje koffie,
        bakje koffie, koffie drinken, thee, theetje, kopje thee, thee drinken, praatje,
        een praatje, praten, kletsen, babbelen, babbeltje, aanspraak, bezoek, bezoekje,
        op bezoek, langskomen, langs komen, company, coffee, tea, cup of tea, cup of coffee,
        have a coffee, chat, chatting, a chat, talk, talking, visit, visiting,
        keep me company, spelletje, spelletjes, kaarten, kaartspel, sjoelen, schaken,
        dammen, puzzelen, bordspel, bordspellen, board games, chess
        """
    ),
    related=_terms(
        """
        wandelen, wandel, wandelt, wandeling, wandelingetje, ommetje, stukje lopen,
        een stukje lopen, samen wandelen, samen koffie, uitje, dagje uit, museum, voorlezen,
        walk, walking, stroll, a walk, go for a walk, together, day out, games, read aloud,
        gezamenlijk, cards
        """
    )
    # Recognised in what people type, never used as a label: see the module docstring.
    + _terms("eenzaam, eenzaamheid, alleen thuis, lonely, loneliness"),
    hints=_terms(
        """
        samen, drinken, drink, gesprek, gesprekje, conversation, alone
        """
    ),
)

COOKING = CategoryWords(
    key="cooking",
    core=_terms(
        """
        koken, kook, kookt, kookte, kokkerellen, kookavond, kookclub, maaltijd, maaltijden,
        maaltje, warme maaltijd, eten koken, samen eten, samen koken, mee eten, avondeten,
        avondmaal, diner, buurtmaaltijd, eetclub, prakje, soep, pannetje soep, cooking,
        cook, cooks, cooked, meal, meals, hot meal, dinner, supper, soup, meal prep,
        cook for, home cooked
        """
    ),
    related=_terms(
        """
        eten, lunch, lunchen, recept, recepten, bakken, taart, taartje, keuken, kok,
        gerecht, gerechten, food, bake, baking, cake, recipe, recipes, kitchen, dish,
        dishes, breakfast, ontbijt
        """
    ),
    hints=_terms(
        """
        honger, hungry, pan, oven
        """
    ),
)

GARDEN = CategoryWords(
    key="garden",
    core=_terms(
        """
        tuin, tuinen, tuintje, tuinieren, tuinwerk, tuinman, moestuin, gras, gras maaien,
        grasmaaien, maaien, heg, heggen, heg knippen, snoeien, onkruid, onkruid wieden,
        wieden, bladeren, bladeren harken, harken, schoffelen, planten, plantjes, bloemen,
        water geven, planten water geven, balkon, balkonplanten, bloembakken, garden,
        gardens, gardening, lawn, mow, mowing, mow the lawn, hedge, hedges, prune, pruning,
        weeds, weeding, leaves, rake, raking, plants, flowers, water the plants, watering,
        balcony, allotment
        """
    ),
    related=_terms(
        """
        grasmaaier, kamerplanten, compost, struiken, boom, bomen, tegels, stoep, lawnmower,
        bushes, tree, trees, yard, patio, terras, schutting, fence
        """
    ),
    hints=_terms(
        """
        buiten, outside, water
        """
    ),
)

DIGITAL = CategoryWords(
    key="digital",
    core=_terms(
        """
        computer, computers, laptop, laptops, pc, tablet, tablets, ipad, telefoon,
        telefoons, telefoontje, mobiel, mobieltje, smartphone, mobiele telefoon, gsm,
        digitale hulp, digitaal, digitale, internet, wifi, wi-fi, e-mail, email, e-mailen,
        mailen, printer, printen, scannen, whatsapp, videobellen, beeldbellen, app, apps,
        digid, inloggen, wachtwoord, wachtwoorden, online bankieren, internetbankieren,
        phone, cellphone, mobile phone, mobile, iphone, android, video call, password,
        log in, login, computer help, tech, technology
        """
    ),
    related=_terms(
        """
        instellen, installeren, update, updates, tv, televisie, tv instellen,
        afstandsbediening, programma, software, virus, facebook, foto's, photos, mail,
        online, set up, setup, install, remote, screen, scherm, router, bluetooth, zoom,
        teams, ov-chipkaart, qr code
        """
    ),
    hints=_terms(
        """
        appen, opladen, charger, oplader, kabel, cable
        """
    ),
)

PETS = CategoryWords(
    key="pets",
    core=_terms(
        """
        huisdier, huisdieren, hond, honden, hondje, hondjes, hond uitlaten, uitlaten,
        uitlaat, uitlaatservice, kat, katten, poes, poezen, poesje, kater, konijn, konijnen,
        cavia, cavias, parkiet, parkieten, vogel, vogels, kattenbak, dierenoppas,
        dierenarts, pet, pets, dog, dogs, puppy, cat, cats, kitten, rabbit, rabbits,
        guinea pig, bird, birds, walk the dog, walk my dog, dog walking, pet sitting,
        petsitter, pet sitter, feed the cat, litter box
        """
    ),
    related=_terms(
        """
        oppassen, oppas, voeren, voer, aaien, vissen, aquarium, feed
        """
    ),
    hints=(),
)

LENDING = CategoryWords(
    key="lending",
    core=_terms(
        """
        lenen, leen, leent, te leen, uitlenen, uitleen, leent uit, lend, lends, lending,
        borrow, borrowing, to borrow, can i borrow, loan, ladder, ladders, trapje,
        boormachine, boor, drill, gereedschap, aanhanger, aanhangwagen, trailer, kruiwagen,
        wheelbarrow, hogedrukreiniger, pressure washer, steekwagen, naaimachine,
        sewing machine, partytent, bakfiets
        """
    ),
    related=_terms(
        """
        tools, tool, zaag, decoupeerzaag, saw, hamer, hammer, stofzuiger, vacuum cleaner,
        tent, stoelen, tafels, klapstoelen, gourmetstel, grasmaaier, lawnmower, spullen
        """
    ),
    hints=_terms(
        """
        delen, share, sharing
        """
    ),
)

PAPERWORK = CategoryWords(
    key="paperwork",
    core=_terms(
        """
        formulier, formulieren, formuliertje, brief, brieven, briefje, de post, papierwerk,
        papieren, administratie, belasting, belastingen, belastingaangifte, aangifte,
        belastingdienst, toeslag, toeslagen, huurtoeslag, zorgtoeslag, invullen,
        formulier invullen, forms, form, letter, letters, paperwork, paper work, tax, taxes,
        tax return, fill in, fill out, benefits, bills, official letter
        """
    ),
    related=_terms(
        """
        post, aanvragen, aanvraag, gemeente, uwv, svb, aow, pensioen, uitkering, rekening,
        rekeningen, factuur, facturen, bankzaken, verzekering, verzekeringen,
        energietoeslag, contract, huurcontract, bezwaar, brief lezen, brieven lezen,
        uitleggen, municipality, council, insurance, bill, invoice, pension, application,
        bank letters, explain, kvk
        """
    ),
    hints=_terms(
        """
        bank, lezen, read, snap, snappen, begrijp, begrijpen, understand
        """
    ),
)

LANGUAGE = CategoryWords(
    key="language",
    core=_terms(
        """
        taal, taalmaatje, taalcafé, taalles, taallessen, nederlands, nederlands oefenen,
        nederlands leren, nederlands praten, nederlandse taal, dutch, learn dutch,
        practise dutch, practice dutch, speak dutch, language, languages, language practice,
        inburgering, inburgeren, inburgeringsexamen, conversatie, conversation practice,
        uitspraak, pronunciation, grammatica, grammar
        """
    ),
    related=_terms(
        """
        oefenen, oefening, leren, spreken, engels, english, frans, duits, arabisch, turks,
        pools, spaans, bijles, huiswerk, woorden, vocabulary, practise, practice, speaking,
        learn, learning, tutor, lessons, les, lessen
        """
    ),
    hints=_terms(
        """
        schrijven, writing, lezen, reading
        """
    ),
)

OTHER = CategoryWords(
    key="other",
    core=(),
    related=(),
    # Only for people typing a category name ("overig"); as free text these are weak on purpose.
    hints=_terms(
        """
        overig, overige, overigen, diversen, iets anders, other, others, misc,
        miscellaneous, something else, anything else
        """
    ),
)

VOCABULARY: tuple[CategoryWords, ...] = (
    GROCERIES,
    SMALL_JOBS,
    TRANSPORT,
    COMPANY,
    COOKING,
    GARDEN,
    DIGITAL,
    PETS,
    LENDING,
    PAPERWORK,
    LANGUAGE,
    OTHER,
)

# Words that never point to a category on their own, even though some resemble category
# words: function words, "help" (in every request), and time words (the time parser's job).
STOPWORDS: frozenset[str] = _words(
    """
    de het een en of ik je jij u uw mijn mij me wij we ons onze jullie hij zij ze haar hem die dat
    deze dit wie wat waar wanneer hoe kan kun kunt kunnen wil wilt willen zou zouden is ben bent
    zijn was waren heb hebt heeft graag iemand iets er ook nog even wel niet geen met van voor
    naar op in aan bij om te tot door over uit als dan maar want dus al ja nee hallo hoi hey dag
    dank bedankt alvast help hulp helpen hulpje beetje doen doe moet mag gaan ga gaat komen kom
    zoek zoeken gezocht vraag vragen aanbod bied bieden aan heel erg wel misschien keer mee
    worden wordt werd weten boven
    vandaag morgen overmorgen ochtend middag avond week weekend maandag dinsdag woensdag
    donderdag vrijdag zaterdag zondag vanavond vanmiddag vanochtend uur
    the a an and or i me my mine you your we our us he she they them it its this that who what
    where when how can could would will shall should is am are was were be been have has had
    please someone somebody anyone anybody something some any with for to of on in at by from
    about need needs want wants like help helping hi hello thanks thank do does get got go
    there these those then than waiting
    today tomorrow morning afternoon evening tonight week weekend monday tuesday wednesday
    thursday friday saturday sunday hour
    """
)
