"""What the demo programme says: experiments per kind of establishment, the sessions' content
phase by phase, delegation names and the monographs' wording (web/demo.py builds the rows).

Everything here is fictional, written for the demonstration; no real establishment or person.
"""

from decimal import Decimal

# An indicator: (name, unit, baseline, target, higher is better).
# An experiment: title, unit or service, theme (a name of clusters/data/themes.txt), problem,
# objectives, actions, two indicators.
# Keyed by FINESS category code, the kinds of web.demo.KINDS.
EXPERIMENTS = {
    "355": [  # centre hospitalier
        {
            "title": "Transmissions ciblées entre équipes de nuit et de jour",
            "unit": "Service de médecine polyvalente",
            "theme": "Bientraitance et travail en équipe",
            "problem": "Les transmissions du matin durent près de trois quarts d'heure, débordent "
            "sur la fin de poste de l'équipe de nuit et se font debout, dans le couloir.",
            "objectives": "Des transmissions plus courtes et centrées sur les situations qui "
            "changent, sans heures supplémentaires pour l'équipe de nuit.",
            "actions": "Support écrit commun élaboré par les deux équipes ; transmissions au lit "
            "du patient pour les situations instables ; chevauchement de quinze minutes inscrit "
            "au planning ; point mensuel entre cadres de jour et de nuit.",
            "indicators": [
                ("Durée moyenne des transmissions du matin", "min", "45", "25", False),
                ("Heures supplémentaires de l'équipe de nuit", "h/mois", "60", "35", False),
            ],
        },
        {
            "title": "Un pool de remplacement pour les absences de courte durée",
            "unit": "Pôle médecine-gériatrie",
            "theme": "Absentéisme et attractivité",
            "problem": "Les absences imprévues sont comblées en rappelant des agents sur leurs "
            "repos, ce qui épuise les équipes et alimente de nouvelles absences.",
            "objectives": "Ne plus rappeler les agents sur leurs repos et faire baisser "
            "l'absentéisme du pôle.",
            "actions": "Création d'une équipe de six soignants volontaires formés aux quatre "
            "services du pôle ; règles de mobilité négociées avec les représentants du "
            "personnel ; tableau de bord partagé des absences.",
            "indicators": [
                ("Taux d'absentéisme", "%", "9.8", "7.5", False),
                ("Rappels d'agents sur leurs repos", "rappels/mois", "22", "8", False),
            ],
        },
        {
            "title": "Préparer la sortie du patient dès la consultation d'anesthésie",
            "unit": "Unité de chirurgie ambulatoire",
            "theme": "Virage ambulatoire et chirurgie ambulatoire",
            "problem": "Les sorties se concentrent en fin de journée : les infirmiers restent "
            "après l'heure et les patients attendent leur autorisation de sortie.",
            "objectives": "Étaler les sorties sur l'après-midi et réduire les départs tardifs.",
            "actions": "Appel de la veille par un infirmier ; ordre de passage au bloc revu "
            "chaque semaine avec les chirurgiens ; critères de sortie validés en équipe.",
            "indicators": [
                ("Patients sortis après 19 h", "%", "18", "5", False),
                ("Satisfaction de l'équipe (questionnaire)", "/10", "5.4", "7", True),
            ],
        },
    ],
    "500": [  # EHPAD
        {
            "title": "Repenser l'organisation du temps du repas",
            "unit": "Unité de vie « Les Lilas »",
            "theme": "Gérontologie",
            "problem": "Le déjeuner est servi dans la précipitation : les aides-soignants se "
            "partagent entre la salle à manger et les plateaux en chambre, les résidents "
            "attendent et mangent seuls.",
            "objectives": "Un repas plus calme, où chaque résident qui en a besoin est aidé sans "
            "interruption.",
            "actions": "Service en deux temps selon le niveau d'aide ; agent hôtelier présent en "
            "salle ; horaires des soins du matin décalés de vingt minutes ; table d'aide au "
            "repas animée par un soignant attitré.",
            "indicators": [
                ("Durée du service du déjeuner", "min", "95", "70", False),
                ("Résidents aidés au repas sans interruption", "%", "60", "85", True),
            ],
        },
        {
            "title": "Des binômes soignants stables sur les unités de vie",
            "unit": "Unité protégée",
            "theme": "Bientraitance et travail en équipe",
            "problem": "Les soignants changent d'unité presque chaque jour ; les résidents "
            "désorientés perdent leurs repères et les équipes ne se connaissent plus.",
            "objectives": "Stabiliser les équipes sur une unité pour au moins un trimestre et "
            "réduire le recours à l'intérim.",
            "actions": "Binômes aide-soignant et agent de service affectés par unité ; planning "
            "à douze semaines ; réunion d'unité mensuelle avec la psychologue.",
            "indicators": [
                ("Taux d'absentéisme", "%", "12.5", "9", False),
                ("Remplacements par des intérimaires", "jours/mois", "40", "20", False),
            ],
        },
        {
            "title": "Équiper les chambres de rails de transfert",
            "unit": "Secteur d'hébergement du premier étage",
            "theme": "TMS et accidents du travail",
            "problem": "Les levers et couchers des résidents les plus dépendants se font à bras "
            "ou avec un lève-personne mobile souvent indisponible.",
            "objectives": "Moins d'accidents de manutention et de douleurs chez les soignants.",
            "actions": "Rails au plafond dans douze chambres ; formation de toute l'équipe par "
            "l'ergothérapeute ; choix du matériel testé par les soignants avant l'achat.",
            "indicators": [
                ("Accidents du travail liés aux manutentions", "par an", "9", "4", False),
                ("Soignants déclarant des douleurs lombaires", "%", "48", "30", False),
            ],
        },
    ],
    "365": [  # clinique
        {
            "title": "Un circuit court pour le patient ambulatoire",
            "unit": "Unité de chirurgie ambulatoire",
            "theme": "Virage ambulatoire et chirurgie ambulatoire",
            "problem": "Le patient traverse quatre services avant le bloc ; chaque étape attend "
            "la précédente et les équipes se renvoient les retards.",
            "objectives": "Raccourcir l'attente avant le bloc et clarifier qui fait quoi.",
            "actions": "Circuit dessiné avec les brancardiers et les infirmiers ; arrivée des "
            "patients échelonnée ; un infirmier référent du parcours par demi-journée.",
            "indicators": [
                ("Délai entre l'arrivée et l'entrée au bloc", "min", "120", "75", False),
                ("Satisfaction des patients", "/10", "7.6", "8.5", True),
            ],
        },
        {
            "title": "Stabiliser les plannings du bloc opératoire",
            "unit": "Bloc opératoire",
            "theme": "Management",
            "problem": "Les programmes opératoires changent jusqu'à la veille ; les infirmiers "
            "de bloc apprennent leurs horaires au dernier moment.",
            "objectives": "Des plannings connus à l'avance et moins de départs de l'équipe.",
            "actions": "Programme figé à 72 heures, arbitré en conseil de bloc ; cadre et "
            "chirurgiens se réunissent chaque jeudi ; règles d'échange de gardes écrites avec "
            "l'équipe.",
            "indicators": [
                ("Modifications de planning à moins de 48 h", "par mois", "30", "12", False),
                ("Taux de rotation du personnel", "%", "18", "12", False),
            ],
        },
        {
            "title": "Accueillir et accompagner les nouveaux infirmiers",
            "unit": "Service de soins de suite et de réadaptation",
            "theme": "Absentéisme et attractivité",
            "problem": "Un tiers des infirmiers recrutés partent dans l'année ; l'accueil se "
            "résume à une journée en doublure.",
            "objectives": "Garder les nouveaux arrivants et pourvoir les postes vacants.",
            "actions": "Parcours d'intégration de trois semaines ; tuteur désigné et déchargé "
            "d'une partie de ses patients ; entretien à un, trois et six mois.",
            "indicators": [
                ("Départs dans l'année d'arrivée", "%", "35", "15", False),
                ("Postes d'infirmier vacants", "postes", "6", "2", False),
            ],
        },
    ],
    "255": [  # maison d'accueil spécialisée
        {
            "title": "Aides techniques et gestes sûrs lors des transferts",
            "unit": "Unité d'hébergement « Les Érables »",
            "theme": "TMS et accidents du travail",
            "problem": "Les transferts des résidents polyhandicapés sont la première cause "
            "d'accidents du travail ; les aides techniques restent au placard.",
            "objectives": "Utiliser une aide technique à chaque transfert qui le demande.",
            "actions": "Fiche de transfert par résident, établie avec l'ergothérapeute ; "
            "rangement des aides au plus près des chambres ; formation par les pairs.",
            "indicators": [
                ("Accidents du travail avec arrêt", "par an", "11", "5", False),
                ("Transferts réalisés avec une aide technique", "%", "40", "90", True),
            ],
        },
        {
            "title": "Un temps d'échange hebdomadaire sur les situations difficiles",
            "unit": "Équipe éducative et soignante de jour",
            "theme": "Espaces de discussion sur le travail",
            "problem": "Les professionnels font face seuls aux comportements-problèmes et n'en "
            "parlent qu'en transmission, faute de temps.",
            "objectives": "Que chacun puisse parler de son travail et trouver des réponses "
            "collectives.",
            "actions": "Une heure par semaine, animée à tour de rôle, sans la direction ; "
            "remontée des propositions au COPIL ; règles de confidentialité écrites ensemble.",
            "indicators": [
                ("Professionnels ayant participé à un temps d'échange", "%", "10", "80", True),
                (
                    "Événements indésirables liés à l'accompagnement",
                    "par trimestre",
                    "14",
                    "8",
                    False,
                ),
            ],
        },
        {
            "title": "Clarifier les rôles entre aides médico-psychologiques et infirmiers",
            "unit": "Pôle soins et accompagnement",
            "theme": "Sens du travail",
            "problem": "Les glissements de tâches sont fréquents et mal vécus : chacun a le "
            "sentiment de faire le travail de l'autre.",
            "objectives": "Des rôles connus de tous et reconnus.",
            "actions": "Analyse d'une semaine de travail réel ; fiches de rôle réécrites par les "
            "équipes ; temps de coordination quotidien de dix minutes.",
            "indicators": [
                ("Glissements de tâches signalés", "par mois", "12", "4", False),
                ("Satisfaction de l'équipe (questionnaire)", "/10", "5.1", "7", True),
            ],
        },
    ],
    "127": [  # hospitalisation à domicile
        {
            "title": "Mieux organiser les tournées des infirmiers",
            "unit": "Équipe de soins à domicile",
            "theme": "Hospitalisation à domicile (HAD)",
            "problem": "Les tournées sont refaites chaque matin ; les infirmiers passent plus de "
            "temps sur la route qu'auprès des patients.",
            "objectives": "Des tournées plus courtes et des visites à l'heure annoncée.",
            "actions": "Tournées par secteur géographique ; planification la veille par "
            "l'infirmier coordinateur ; un créneau de réserve par demi-journée.",
            "indicators": [
                ("Kilomètres parcourus par tournée", "km", "140", "110", False),
                ("Visites commencées en retard", "%", "22", "10", False),
            ],
        },
        {
            "title": "Sécuriser le travail isolé au domicile des patients",
            "unit": "Antenne territoriale",
            "theme": "Risques psychosociaux (RPS)",
            "problem": "Au domicile, les professionnels sont seuls face aux tensions familiales "
            "et aux situations à risque, sans savoir à qui en parler.",
            "objectives": "Que chacun se sente en sécurité et que chaque incident soit traité.",
            "actions": "Procédure d'alerte et numéro d'astreinte ; visite à deux décidée en "
            "staff ; retour systématique sur les incidents déclarés.",
            "indicators": [
                ("Professionnels se sentant en sécurité au domicile", "%", "55", "80", True),
                ("Incidents déclarés ayant reçu une réponse", "%", "40", "90", True),
            ],
        },
        {
            "title": "Un dossier de soins partagé consultable en tournée",
            "unit": "Cellule d'admission et de coordination",
            "theme": "Conduite du changement",
            "problem": "Les informations du domicile sont ressaisies le soir au bureau ; la "
            "coordination est appelée pour des informations manquantes.",
            "objectives": "Moins de saisie en fin de journée et moins d'appels à la coordination.",
            "actions": "Tablettes pour chaque tournée ; trois professionnels relais formés "
            "d'abord ; déploiement progressif secteur par secteur.",
            "indicators": [
                ("Temps de saisie en fin de journée", "min", "50", "20", False),
                (
                    "Appels à la coordination pour une information manquante",
                    "par semaine",
                    "35",
                    "15",
                    False,
                ),
            ],
        },
    ],
    "183": [  # institut médico-éducatif
        {
            "title": "Des réunions d'équipe recentrées sur les projets des jeunes",
            "unit": "Équipe éducative des 12-16 ans",
            "theme": "Sens du travail",
            "problem": "Les réunions d'équipe sont absorbées par l'organisation ; les projets "
            "personnalisés sont révisés en retard.",
            "objectives": "Du temps de réunion pour le projet de chaque jeune.",
            "actions": "Ordre du jour en deux parties ; questions d'organisation traitées par "
            "écrit ; calendrier annuel de révision des projets.",
            "indicators": [
                ("Projets personnalisés révisés dans l'année", "%", "55", "90", True),
                ("Satisfaction des éducateurs (questionnaire)", "/10", "5.8", "7.5", True),
            ],
        },
        {
            "title": "Prévenir et reprendre les situations de violence",
            "unit": "Internat de semaine",
            "theme": "Risques psychosociaux (RPS)",
            "problem": "Les passages à l'acte des jeunes se multiplient le soir ; les éducateurs "
            "se sentent démunis et les arrêts de travail suivent.",
            "objectives": "Moins d'incidents et un retour au travail accompagné après un incident.",
            "actions": "Formation commune à la gestion des crises ; débriefing dans les 48 heures "
            "avec le psychologue ; binôme éducatif sur les soirées les plus chargées.",
            "indicators": [
                ("Incidents violents déclarés", "par trimestre", "26", "15", False),
                ("Jours d'arrêt après un incident", "jours/an", "90", "40", False),
            ],
        },
        {
            "title": "Stabiliser les équipes éducatives de l'internat",
            "unit": "Internat",
            "theme": "Absentéisme et attractivité",
            "problem": "L'internat fonctionne avec de nombreux remplaçants que les jeunes ne "
            "connaissent pas.",
            "objectives": "Moins d'absences et moins de remplaçants inconnus des jeunes.",
            "actions": "Cycles de travail revus avec l'équipe ; volant de remplaçants formés et "
            "fidélisés ; entretien de retour après chaque arrêt long.",
            "indicators": [
                ("Taux d'absentéisme", "%", "11", "8", False),
                ("Remplacements par des intérimaires", "jours/mois", "25", "10", False),
            ],
        },
    ],
    "292": [  # centre hospitalier spécialisé (psychiatrie)
        {
            "title": "Un espace de discussion sur le travail dans les unités d'admission",
            "unit": "Unité d'admission de psychiatrie adulte",
            "theme": "Espaces de discussion sur le travail",
            "problem": "Les soignants des unités d'admission disent ne plus avoir le temps de "
            "parler de leur travail ; les tensions restent sans suite.",
            "objectives": "Un espace régulier où le travail se discute et où des décisions "
            "sont prises.",
            "actions": "Une séance mensuelle par unité, animée par un cadre formé d'une autre "
            "unité ; relevé de propositions transmis au COPIL ; réponse écrite sous un mois.",
            "indicators": [
                ("Soignants ayant participé à un espace de discussion", "%", "5", "70", True),
                ("Taux d'absentéisme", "%", "10.4", "8", False),
            ],
        },
        {
            "title": "Revoir l'organisation des soins en chambre d'isolement",
            "unit": "Unité de soins intensifs psychiatriques",
            "theme": "Psychiatrie",
            "problem": "Les mises en isolement sont longues et les soignants y vivent les "
            "situations les plus dures du service.",
            "objectives": "Réduire la durée des isolements et les agressions envers les soignants.",
            "actions": "Réévaluation médicale toutes les douze heures ; espace d'apaisement "
            "aménagé ; reprise en équipe de chaque mise en isolement.",
            "indicators": [
                ("Durée moyenne de mise en isolement", "h", "48", "30", False),
                ("Agressions envers les soignants", "par trimestre", "18", "10", False),
            ],
        },
        {
            "title": "Réorganiser l'équipe de nuit après le regroupement de deux sites",
            "unit": "Pôle de psychiatrie générale, équipe de nuit",
            "theme": "Réorganisations (fusions, GHT)",
            "problem": "Depuis le regroupement, l'équipe de nuit couvre deux bâtiments avec des "
            "pratiques différentes ; des postes restent non pourvus.",
            "objectives": "Une équipe de nuit commune et des postes pourvus.",
            "actions": "Règles communes écrites par les équipes des deux sites ; binômes mixtes ; "
            "réunion trimestrielle de l'équipe de nuit avec la direction des soins.",
            "indicators": [
                ("Postes de nuit non pourvus", "par mois", "14", "4", False),
                ("Satisfaction de l'équipe de nuit (questionnaire)", "/10", "4.9", "7", True),
            ],
        },
    ],
    "246": [  # établissement et service d'aide par le travail
        {
            "title": "Adapter le rythme des ateliers aux travailleurs",
            "unit": "Atelier de conditionnement",
            "theme": "Sens du travail",
            "problem": "Les pics de commandes imposent des cadences que les travailleurs "
            "supportent mal ; les pauses sautent et la fatigue s'installe.",
            "objectives": "Tenir les délais de livraison sans sacrifier les pauses.",
            "actions": "Planning de production lissé sur la semaine ; pauses fixes affichées ; "
            "postes tournants choisis avec les travailleurs.",
            "indicators": [
                ("Pauses prises selon le planning", "%", "50", "90", True),
                ("Commandes livrées à temps", "%", "82", "92", True),
            ],
        },
        {
            "title": "Des postes de travail ergonomiques en blanchisserie",
            "unit": "Atelier blanchisserie",
            "theme": "TMS et accidents du travail",
            "problem": "Le chargement des machines et le pliage se font à des hauteurs "
            "inadaptées ; les douleurs d'épaule et de dos sont fréquentes.",
            "objectives": "Moins d'accidents et de douleurs chez les travailleurs.",
            "actions": "Chariots à fond remontant ; tables de pliage réglables ; échauffement "
            "avant la prise de poste, animé par les moniteurs.",
            "indicators": [
                ("Accidents du travail avec arrêt", "par an", "7", "3", False),
                ("Travailleurs signalant des douleurs", "%", "38", "20", False),
            ],
        },
        {
            "title": "Associer les moniteurs d'atelier au planning de production",
            "unit": "Atelier espaces verts",
            "theme": "Management",
            "problem": "Les chantiers sont acceptés sans les moniteurs, qui découvrent les "
            "contraintes sur place.",
            "objectives": "Des chantiers préparés avec ceux qui les encadrent.",
            "actions": "Réunion commerciale hebdomadaire ouverte aux moniteurs ; visite "
            "préalable des chantiers importants ; retour d'expérience à la fin de chacun.",
            "indicators": [
                ("Modifications de planning subies", "par mois", "16", "6", False),
                ("Satisfaction des moniteurs (questionnaire)", "/10", "5.5", "7.2", True),
            ],
        },
    ],
    "354": [  # service de soins infirmiers à domicile
        {
            "title": "Des tournées stables pour les aides-soignants",
            "unit": "Tournées du secteur nord",
            "theme": "Absentéisme et attractivité",
            "problem": "Les tournées changent chaque semaine ; les patients voient défiler les "
            "intervenants et les aides-soignants ne connaissent pas les domiciles.",
            "objectives": "Moins d'intervenants différents par patient et moins d'absences.",
            "actions": "Tournées attribuées pour un mois ; remplacements pris dans le même "
            "secteur ; temps de passage de relais entre collègues.",
            "indicators": [
                (
                    "Patients vus par plus de quatre intervenants par semaine",
                    "%",
                    "45",
                    "20",
                    False,
                ),
                ("Taux d'absentéisme", "%", "13", "9", False),
            ],
        },
        {
            "title": "Aides aux transferts et formation au domicile",
            "unit": "Équipe d'aides-soignants à domicile",
            "theme": "TMS et accidents du travail",
            "problem": "Les transferts se font sans matériel dans des logements exigus ; les "
            "accidents de dos se répètent.",
            "objectives": "Des domiciles équipés et des gestes appris sur place.",
            "actions": "Visite d'évaluation du domicile par l'infirmière coordinatrice ; prêt de "
            "matériel avec un partenaire ; formation en binôme au domicile.",
            "indicators": [
                ("Accidents du travail avec arrêt", "par an", "6", "2", False),
                ("Domiciles équipés d'une aide au transfert", "%", "30", "70", True),
            ],
        },
        {
            "title": "Un temps de coordination hebdomadaire avec l'infirmière coordinatrice",
            "unit": "Équipe de coordination",
            "theme": "Management",
            "problem": "Les aides-soignants appellent l'infirmière coordinatrice à toute heure, "
            "faute d'un temps prévu pour faire le point.",
            "objectives": "Un soutien régulier et moins d'appels hors horaires.",
            "actions": "Réunion d'une heure chaque mardi ; cahier de questions ; astreinte "
            "partagée entre deux infirmières.",
            "indicators": [
                ("Aides-soignants se sentant soutenus (questionnaire)", "%", "42", "70", True),
                (
                    "Appels hors horaires à l'infirmière coordinatrice",
                    "par semaine",
                    "20",
                    "8",
                    False,
                ),
            ],
        },
    ],
    "177": [  # maison d'enfants à caractère social
        {
            "title": "Sécuriser les relèves entre éducateurs et surveillants de nuit",
            "unit": "Internat des adolescents",
            "theme": "Bientraitance et travail en équipe",
            "problem": "Les relèves du soir sont orales et rapides ; des incidents de la "
            "journée ne sont pas connus de l'équipe de nuit.",
            "objectives": "Une relève complète et écrite chaque soir.",
            "actions": "Support de relève conçu avec les surveillants de nuit ; quinze minutes de "
            "chevauchement ; retour du matin par écrit.",
            "indicators": [
                ("Relèves faites avec le support écrit", "%", "30", "90", True),
                ("Incidents de nuit non transmis", "par mois", "9", "2", False),
            ],
        },
        {
            "title": "Analyse des pratiques et soutien après un incident grave",
            "unit": "Service d'accueil d'urgence",
            "theme": "Risques psychosociaux (RPS)",
            "problem": "Après un incident grave, les éducateurs reprennent leur service sans "
            "temps d'échange ; certains s'arrêtent longtemps.",
            "objectives": "Un soutien systématique et moins de jours d'arrêt.",
            "actions": "Séances mensuelles d'analyse des pratiques avec un intervenant "
            "extérieur ; entretien avec le chef de service dans les 48 heures d'un incident.",
            "indicators": [
                ("Éducateurs ayant participé à l'analyse des pratiques", "%", "35", "80", True),
                ("Jours d'arrêt après un incident", "jours/an", "120", "60", False),
            ],
        },
        {
            "title": "Des plannings connus six semaines à l'avance",
            "unit": "Unité de vie des 6-12 ans",
            "theme": "Absentéisme et attractivité",
            "problem": "Les plannings changent au dernier moment ; les éducateurs ne peuvent "
            "rien prévoir et l'équipe se renouvelle sans cesse.",
            "objectives": "Des plannings stables et une équipe qui reste.",
            "actions": "Planning à six semaines affiché ; bourse d'échanges entre collègues ; "
            "remplacements d'abord proposés aux volontaires.",
            "indicators": [
                ("Plannings modifiés à moins de sept jours", "%", "40", "15", False),
                ("Taux de rotation des éducateurs", "%", "28", "18", False),
            ],
        },
    ],
}

# Share of the way from baseline to target at each measurement (two months apart), per
# experiment status: the story the figures tell. A planned experiment has no measurement yet.
STORIES = {
    "envisagee": ([], []),
    "en_cours": ([Decimal("0.15"), Decimal("0.35")], [Decimal("0.1"), Decimal("0.25")]),
    "evaluee": (
        [Decimal("0.2"), Decimal("0.45"), Decimal("0.65")],
        [Decimal("0.1"), Decimal("0.3"), Decimal("0.5")],
    ),
    "perennisee": (
        [Decimal("0.3"), Decimal("0.6"), Decimal("0.95"), Decimal("1.05")],
        [Decimal("0.2"), Decimal("0.5"), Decimal("0.75"), Decimal("0.9")],
    ),
    "abandonnee": (
        [Decimal("0.1"), Decimal("-0.05"), Decimal("0")],
        [Decimal("0.05"), Decimal("0"), Decimal("-0.1")],
    ),
}

# How much further from its target than the catalogue's baseline an establishment starts
# (share of the way), drawn per establishment.
HANDICAPS = [Decimal(share) for share in ("0", "0.05", "0.1", "0.15", "0.2", "0.25")]

# One sentence per theme: the shared problem a cluster works on.
THEME_PROBLEMS = {
    "Réorganisations (fusions, GHT)": "Comment garder un collectif de travail et le sens du "
    "soin quand les sites se regroupent et que les organisations changent ?",
    "Virage ambulatoire et chirurgie ambulatoire": "Comment organiser des prises en charge "
    "plus courtes sans reporter la charge sur les équipes en fin de journée ?",
    "Hospitalisation à domicile (HAD)": "Comment soutenir des professionnels qui travaillent "
    "seuls au domicile des patients ?",
    "Gérontologie": "Comment concilier le rythme des résidents âgés et l'organisation du "
    "travail des équipes ?",
    "Bientraitance et travail en équipe": "Comment faire de la qualité du travail en équipe "
    "un levier de bientraitance ?",
    "Psychiatrie": "Comment prévenir l'usure des équipes face aux situations de crise en "
    "psychiatrie ?",
    "Projets architecturaux": "Comment associer les équipes à la conception des lieux où "
    "elles travailleront ?",
    "Conduite du changement": "Comment conduire un changement d'organisation avec ceux qui "
    "font le travail ?",
    "Sens du travail": "Comment redonner du sens au travail quand les tâches se morcellent ?",
    "Risques psychosociaux (RPS)": "Comment prévenir les risques psychosociaux au plus près "
    "des situations de travail ?",
    "Absentéisme et attractivité": "Comment réduire l'absentéisme et rendre les métiers plus "
    "attractifs par l'organisation du travail ?",
    "TMS et accidents du travail": "Comment réduire les troubles musculo-squelettiques et "
    "les accidents du travail dans l'accompagnement au quotidien ?",
    "Management": "Comment donner aux cadres de proximité le temps et les moyens de soutenir "
    "leurs équipes ?",
    "Espaces de discussion sur le travail": "Comment installer durablement des espaces où le "
    "travail se discute et d'où sortent des décisions ?",
    "Dialogue social": "Comment faire des représentants du personnel des acteurs de la "
    "démarche QVT ?",
}

# The collective sessions, phase by phase: a closed cluster holds all six, a running one the
# first three. "confidential": only an espace de discussion's content, and only where the
# cluster works on discussion spaces or psychosocial risks (EDT_THEMES).
SESSIONS = [
    {
        "kind": "lancement",
        "tools": [
            "Guide HAS/Anact « La QVT au service de la qualité des soins »",
            "10 questions sur la QVT",
        ],
        "agenda": "Accueil des trinômes et tour de table ; la démarche QVT et le calendrier du "
        "cluster ; présentation de la problématique commune : {theme} ; règles de "
        "fonctionnement du collectif.",
        "key_points": "Chaque trinôme a présenté son établissement et ce qu'il attend du "
        "cluster. Les attentes convergent sur la charge de travail et l'organisation des "
        "plannings.",
        "decisions": "Une charte de fonctionnement du cluster est adoptée ; chaque "
        "établissement installe son comité de pilotage avant la prochaine séance.",
        "next_steps": "Constituer les COPIL ; repérer dans chaque établissement une unité où "
        "conduire le diagnostic.",
    },
    {
        "kind": "collective",
        "tools": ["Reportage photo", "Grilles de diagnostic"],
        "agenda": "Retour sur l'installation des COPIL ; méthodes de diagnostic du travail "
        "réel ; partage des premiers constats ; préparation des observations de terrain.",
        "key_points": "Les premiers constats portent sur les interruptions de tâches et les "
        "temps de relève. Les représentants du personnel soulignent l'importance d'associer "
        "les équipes de nuit.",
        "decisions": "Chaque établissement conduit des observations de situations de travail "
        "et restitue son diagnostic à la séance suivante.",
        "next_steps": "Observations de terrain ; reportage photo réalisé par les équipes ; "
        "synthèse du diagnostic en COPIL.",
        "confidential": True,
    },
    {
        "kind": "collective",
        "tools": ["La boussole", "Jeu de cartes"],
        "agenda": "Restitution croisée des diagnostics ; critères de choix d'une "
        "expérimentation ; choix des indicateurs de suivi.",
        "key_points": "Les diagnostics font ressortir des pistes d'action au plus près du "
        "travail de soin et d'accompagnement. Les établissements retiennent des "
        "expérimentations limitées à une unité, avec deux indicateurs chacune.{chosen}",
        "decisions": "Chaque trinôme arrête son expérimentation, son périmètre et ses "
        "indicateurs, avec leur valeur de départ.",
        "next_steps": "Valider l'expérimentation en COPIL et l'annoncer aux équipes "
        "concernées ; mesurer les indicateurs de départ.",
    },
    {
        "kind": "collective",
        "tools": ["Vis mon travail", "Espaces de discussion sur le travail (EDT)"],
        "agenda": "Point d'étape des expérimentations ; difficultés rencontrées ; échanges "
        "entre établissements du même secteur.",
        "key_points": "Les expérimentations ont démarré ; les premières mesures sont "
        "encourageantes mais les remplacements d'été fragilisent plusieurs organisations.",
        "decisions": "Un binôme d'établissements s'accompagne mutuellement jusqu'à "
        "l'évaluation ; les indicateurs sont mesurés tous les deux mois.",
        "next_steps": "Poursuivre les mesures ; préparer un premier bilan pour la séance "
        "d'évaluation.",
    },
    {
        "kind": "collective",
        "tools": ["QVT+", "Grilles de diagnostic"],
        "agenda": "Évaluation des expérimentations : indicateurs, retours des équipes, "
        "effets sur la qualité des soins ; conditions de la pérennisation.",
        "key_points": "La plupart des indicateurs progressent. Les établissements qui ont "
        "associé les représentants du personnel dès le départ obtiennent les résultats les "
        "plus nets.",
        "decisions": "Chaque établissement présente en COPIL ce qu'il garde, ce qu'il adapte "
        "et ce qu'il arrête.",
        "next_steps": "Rédiger les monographies ; préparer la restitution régionale avec l'ARS.",
    },
    {
        "kind": "restitution",
        "tools": ["Guide HAS/Anact « La QVT au service de la qualité des soins »"],
        "agenda": "Restitution des résultats du cluster à l'ARS et aux directions ; "
        "témoignages des trinômes ; enseignements transversaux ; suites de la démarche.",
        "key_points": "Les trinômes ont présenté leurs résultats : {lasting} expérimentations "
        "sur {experiments} sont pérennisées. L'ARS retient la méthode du cluster pour d'autres "
        "établissements de la région.",
        "decisions": "Les monographies validées seront proposées à la bibliothèque nationale.",
        "next_steps": "Finaliser les monographies ; intégrer les organisations retenues aux "
        "projets d'établissement.",
    },
]
EDT_THEMES = {"Espaces de discussion sur le travail", "Risques psychosociaux (RPS)"}

# Fictional delegation members.
FIRST_NAMES = [
    "Claire", "Julien", "Nadia", "Thomas", "Sophie", "Karim", "Isabelle", "Mathieu", "Aurélie",
    "Laurent", "Émilie", "Yann", "Sandrine", "Olivier", "Fatima", "Nicolas", "Hélène", "Damien",
    "Céline", "Pascal", "Amandine", "Sébastien", "Véronique", "Bruno",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Lefèvre", "Moreau", "Garnier", "Roussel", "Benali", "Fontaine",
    "Chevalier", "Perrin", "Morel", "Girard", "Lambert", "Bonnet", "Mercier", "Faure", "Blanc",
    "Guérin", "Boyer", "Lemoine", "Caron", "Nguyen", "Leroux", "Marchand",
]  # fmt: skip

# Monographs: context per kind (category code), lessons and outlook per experiment status.
KIND_CONTEXTS = {
    "355": "Centre hospitalier de proximité, l'établissement fait face à une forte activité de "
    "médecine et à des difficultés de recrutement infirmier.",
    "500": "L'EHPAD accueille des résidents de plus en plus dépendants ; les équipes disent "
    "manquer de temps pour l'accompagnement.",
    "365": "La clinique a développé son activité ambulatoire ; les organisations n'ont pas "
    "suivi le rythme de ce changement.",
    "255": "La maison d'accueil spécialisée accompagne des adultes polyhandicapés ; la charge "
    "physique et émotionnelle des équipes est forte.",
    "127": "Le service d'hospitalisation à domicile couvre un large territoire ; ses "
    "professionnels travaillent le plus souvent seuls.",
    "183": "L'institut médico-éducatif accueille des enfants et adolescents en internat et en "
    "semi-internat ; les équipes éducatives se renouvellent vite.",
    "292": "L'établissement de santé mentale a regroupé plusieurs unités ; les équipes "
    "soignantes vivent des situations de crise fréquentes.",
    "246": "L'ESAT emploie des travailleurs handicapés dans plusieurs ateliers ; la "
    "production doit concilier délais des clients et rythme des travailleurs.",
    "354": "Le service de soins infirmiers à domicile intervient chez des personnes âgées "
    "dépendantes ; les aides-soignants se déplacent seuls.",
    "177": "La maison d'enfants accueille des enfants confiés par l'aide sociale à l'enfance ; "
    "les équipes éducatives travaillent jour et nuit.",
}
LESSONS = {
    "perennisee": "Leviers : l'implication des représentants du personnel dès le diagnostic, "
    "un périmètre limité à une unité, des indicateurs suivis en COPIL. Difficultés : "
    "le temps de réunion à dégager dans les plannings et l'adhésion de l'équipe de nuit, "
    "obtenue plus tard.",
    "evaluee": "Leviers : l'appui du collectif du cluster et les échanges avec les autres "
    "établissements. Difficultés : le départ d'un cadre en cours d'expérimentation et des "
    "mesures irrégulières pendant l'été.",
    "abandonnee": "Leviers : le diagnostic partagé, reconnu par tous. Difficultés : des "
    "effectifs trop tendus pour dégager le temps prévu ; l'expérimentation a été arrêtée "
    "plutôt que maintenue à moitié.",
}
OUTLOOKS = {
    "perennisee": "L'organisation expérimentée est inscrite au projet d'établissement et "
    "sera étendue à deux autres unités l'an prochain.",
    "evaluee": "Le COPIL a décidé de prolonger l'expérimentation six mois avant de décider "
    "de son extension.",
    "abandonnee": "Le COPIL reprendra la démarche sur un périmètre plus restreint, une fois "
    "les postes vacants pourvus.",
}
