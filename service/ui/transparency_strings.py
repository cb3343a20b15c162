"""The transparency tab's texts (``service/ui/strings.py`` merges them into every language's
table): its headings, the report's figures, and the Transparency Database's categories,
restrictions and sources in words (``tc_<category>``, ``tr_<kind>``, ``ts_<source>``)."""

from __future__ import annotations

TRANSPARENCY_STRINGS: dict[str, dict[str, str]] = {
    "transparency": {"ar": "الشفافية", "fr": "Transparence", "en": "Transparency"},
    "transparency_title": {
        "ar": "تقرير الشفافية (قانون الخدمات الرقمية)",
        "fr": "Rapport de transparence (DSA)",
        "en": "Transparency report (DSA)",
    },
    "period_from": {"ar": "من", "fr": "Du", "en": "From"},
    "period_to": {"ar": "إلى (غير مشمول)", "fr": "Au (exclu)", "en": "To (excluded)"},
    "show_report": {"ar": "عرض التقرير", "fr": "Afficher", "en": "Show"},
    "download_csv": {"ar": "تنزيل CSV", "fr": "Télécharger le CSV", "en": "Download CSV"},
    "needs_admin": {
        "ar": "هذا التقرير لمفاتيح الإدارة فقط.",
        "fr": "Ce rapport est réservé aux clés d'administration.",
        "en": "This report is for admin keys only.",
    },
    "key_figures": {"ar": "أرقام رئيسية", "fr": "Chiffres clés", "en": "Key figures"},
    "notices_total": {"ar": "الإشعارات المستلمة", "fr": "Notifications reçues", "en": "Notices received"},
    "notices_acted": {
        "ar": "إشعارات اتُّخذ بشأنها إجراء",
        "fr": "Notifications suivies d'effet",
        "en": "Notices acted on",
    },
    "notices_median": {
        "ar": "الوسيط حتى الإجراء (ث)",
        "fr": "Délai médian d'action (s)",
        "en": "Median time to action (s)",
    },
    "actions_total": {"ar": "القيود المفروضة", "fr": "Restrictions", "en": "Restrictions"},
    "appeals_total": {"ar": "الطعون المستلمة", "fr": "Recours reçus", "en": "Appeals received"},
    "appeals_median": {
        "ar": "الوسيط حتى البت في الطعن (ث)",
        "fr": "Délai médian des recours (s)",
        "en": "Median time to decide an appeal (s)",
    },
    "sanctions_total": {"ar": "العقوبات", "fr": "Sanctions", "en": "Sanctions"},
    "notices_by_source": {"ar": "الإشعارات حسب المصدر", "fr": "Notifications par source", "en": "Notices by source"},
    "notices_by_category": {
        "ar": "الإشعارات حسب الفئة",
        "fr": "Notifications par catégorie",
        "en": "Notices by category",
    },
    "actions_by_ground": {"ar": "القيود حسب الأساس", "fr": "Restrictions par motif", "en": "Restrictions by ground"},
    "actions_by_automation": {
        "ar": "القيود حسب الأتمتة",
        "fr": "Restrictions par automatisation",
        "en": "Restrictions by automation",
    },
    "actions_by_restriction": {
        "ar": "القيود حسب النوع",
        "fr": "Restrictions par type",
        "en": "Restrictions by type",
    },
    "actions_by_category": {
        "ar": "القيود حسب الفئة",
        "fr": "Restrictions par catégorie",
        "en": "Restrictions by category",
    },
    "appeals_outcome": {"ar": "نتائج الطعون", "fr": "Issue des recours", "en": "Appeal outcomes"},
    "model_figures": {
        "ar": "دقة النموذج على بيانات التطوير (F1)",
        "fr": "Modèle : F1 macro sur dev",
        "en": "Model: dev macro-F1",
    },
    "trusted_flagger": {"ar": "مبلّغ موثوق", "fr": "Signaleur de confiance", "en": "Trusted flagger"},
    "article_16": {"ar": "إشعار المادة 16", "fr": "Notification (art. 16)", "en": "Article 16 notice"},
    "illegal_content": {"ar": "محتوى غير قانوني", "fr": "Contenu illicite", "en": "Illegal content"},
    "incompatible_content": {
        "ar": "مخالف لشروط الاستخدام",
        "fr": "Contraire aux conditions",
        "en": "Against the terms",
    },
    "fully": {"ar": "آلي بالكامل", "fr": "Entièrement automatisée", "en": "Fully automated"},
    "partially": {"ar": "آلي جزئيا", "fr": "Partiellement automatisée", "en": "Partially automated"},
    "not_automated": {"ar": "قرار بشري", "fr": "Non automatisée", "en": "Not automated"},
    "received": {"ar": "مستلمة", "fr": "Reçus", "en": "Received"},
}

# The Transparency Database's categories (``STATEMENT_CATEGORY_<name>``), by <name>: API v2's, then
# the v1 ones a notice stored before 2025-07-01 may still carry.
CATEGORY_NAMES: dict[str, dict[str, str]] = {
    "ANIMAL_WELFARE": {"ar": "رفق بالحيوان", "fr": "Bien-être animal", "en": "Animal welfare"},
    "CONSUMER_INFORMATION": {
        "ar": "إخلال بإعلام المستهلك",
        "fr": "Information des consommateurs",
        "en": "Consumer information infringements",
    },
    "CYBER_VIOLENCE": {"ar": "عنف إلكتروني", "fr": "Cyberviolence", "en": "Cyber violence"},
    "CYBER_VIOLENCE_AGAINST_WOMEN": {
        "ar": "عنف إلكتروني ضد النساء",
        "fr": "Cyberviolence envers les femmes",
        "en": "Cyber violence against women",
    },
    "NOT_SPECIFIED_NOTICE": {
        "ar": "نوع غير محدد من المبلّغ",
        "fr": "Type non précisé par le notifiant",
        "en": "Type not specified by the notifier",
    },
    "OTHER_VIOLATION_TC": {
        "ar": "مخالفة أخرى لشروط الموقع",
        "fr": "Autre violation des conditions du site",
        "en": "Other violation of the terms and conditions",
    },
    "UNSAFE_AND_PROHIBITED_PRODUCTS": {
        "ar": "منتجات خطرة أو محظورة",
        "fr": "Produits dangereux ou interdits",
        "en": "Unsafe or prohibited products",
    },
    "DATA_PROTECTION_AND_PRIVACY_VIOLATIONS": {
        "ar": "انتهاك الخصوصية",
        "fr": "Vie privée et données",
        "en": "Data protection and privacy",
    },
    "ILLEGAL_OR_HARMFUL_SPEECH": {
        "ar": "خطاب غير قانوني أو ضار",
        "fr": "Discours illicite ou préjudiciable",
        "en": "Illegal or harmful speech",
    },
    "INTELLECTUAL_PROPERTY_INFRINGEMENTS": {
        "ar": "ملكية فكرية",
        "fr": "Propriété intellectuelle",
        "en": "Intellectual property",
    },
    "NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS": {
        "ar": "النقاش العام والانتخابات",
        "fr": "Débat civique et élections",
        "en": "Civic discourse and elections",
    },
    "NON_CONSENSUAL_BEHAVIOUR": {
        "ar": "سلوك دون موافقة",
        "fr": "Comportement non consenti",
        "en": "Non-consensual behaviour",
    },
    "PORNOGRAPHY_OR_SEXUALIZED_CONTENT": {"ar": "محتوى جنسي", "fr": "Contenu sexuel", "en": "Sexual content"},
    "PROTECTION_OF_MINORS": {"ar": "حماية القاصرين", "fr": "Protection des mineurs", "en": "Protection of minors"},
    "RISK_FOR_PUBLIC_SECURITY": {"ar": "الأمن العام", "fr": "Sécurité publique", "en": "Public security"},
    "SCAMS_AND_FRAUD": {"ar": "احتيال", "fr": "Escroqueries et fraude", "en": "Scams and fraud"},
    "SELF_HARM": {"ar": "إيذاء النفس", "fr": "Automutilation", "en": "Self-harm"},
    "SCOPE_OF_PLATFORM_SERVICE": {
        "ar": "خارج نطاق الخدمة",
        "fr": "Hors du champ du service",
        "en": "Outside the service's scope",
    },
    "UNSAFE_AND_ILLEGAL_PRODUCTS": {"ar": "منتجات خطرة", "fr": "Produits dangereux", "en": "Unsafe products"},
    "VIOLENCE": {"ar": "عنف", "fr": "Violence", "en": "Violence"},
}

# The kinds of restriction of service/dsa/statements.py's restriction_kind.
RESTRICTION_NAMES: dict[str, dict[str, str]] = {
    "removal": {"ar": "حذف", "fr": "Retrait", "en": "Removal"},
    "disabling": {"ar": "حجب", "fr": "Masquage", "en": "Disabled access"},
    "account": {"ar": "تقييد الحساب", "fr": "Restriction du compte", "en": "Account restriction"},
}


def transparency_table(language: str) -> dict[str, str]:
    strings = {key: names[language] for key, names in TRANSPARENCY_STRINGS.items()}
    strings.update({f"tc_STATEMENT_CATEGORY_{c}": names[language] for c, names in CATEGORY_NAMES.items()})
    strings.update({f"tr_{kind}": names[language] for kind, names in RESTRICTION_NAMES.items()})
    return strings
