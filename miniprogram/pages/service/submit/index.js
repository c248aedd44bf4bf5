const privacy = require('../../../utils/privacy');
// Submit a service request (服务响应): category, urgency, text, photos, location, village/grid.
// Opened from the home page or a service QR code (scene "r=<region id>" preselects the area).
const auth = require('../../../utils/auth');
const userService = require('../../../services/user');
const regionService = require('../../../services/region');
const requestService = require('../../../services/service_request');
const uploadService = require('../../../services/upload');
const { askFromTap, prefetchTemplates } = require('../../../utils/subscribe');
const { fieldErrors } = require('../../../utils/errors');
const { isValidPhone } = require('../../../utils/validators');
const {
  SERVICE_CATEGORIES,
  CONTACT_METHODS,
  EMERGENCY_NOTICE,
  MAX_PHOTOS,
} = require('../../../utils/constants');

const NO_GRID = { id: null, name: '不确定网格' };

// "r=12" (QR scene, URL-encoded) or region_id=12 → 12
function presetRegion(options) {
  if (!options) return null;
  if (options.region_id) return Number(options.region_id) || null;
  if (options.scene) {
    const match = /(?:^|&)r=(\d+)/.exec(decodeURIComponent(options.scene));
    if (match) return Number(match[1]);
  }
  return null;
}

function validate(data) {
  const errors = {};
  const category = SERVICE_CATEGORIES[data.categoryIndex];
  if (!category) errors.category = '请选择类别';
  if (String(data.description || '').trim().length < 5) errors.description = '请至少用 5 个字描述情况';
  if (!data.village) errors.region_id = '请选择所在村（社区）';
  const method = CONTACT_METHODS[data.contactIndex].key;
  if (method === 'phone' && !data.anonymous && !isValidPhone(data.contactPhone)) {
    errors.contact_phone = '请填写正确的手机号';
  }
  return errors;
}

Component({
  data: {
    categories: SERVICE_CATEGORIES,
    categoryIndex: -1,
    urgency: 'normal',
    description: '',
    photos: [],
    maxPhotos: MAX_PHOTOS,
    uploading: false,
    location: null,
    townships: [],
    townshipIndex: -1,
    villages: [],
    villageIndex: -1,
    village: null,
    grids: [NO_GRID],
    gridIndex: 0,
    presetRegionName: '',
    contactMethods: CONTACT_METHODS,
    contactIndex: 0,
    contactPhone: '',
    anonymous: false,
    anonymousAllowed: false,
    emergencyNotice: EMERGENCY_NOTICE,
    consentRequired: false,
    noticeVersion: '',
    agreed: false,
    errors: {},
    submitting: false,
  },

  methods: {
    onLoad(options) {
      prefetchTemplates();
      this._presetRegion = presetRegion(options);
      this.init();
    },

    async init() {
      try {
        await auth.ensureLogin();
      } catch (e) {
        return;
      }
      await Promise.all([this.loadProfile(), this.loadTownships(), this.loadNotice(), this.loadPreset()]);
    },

    async loadProfile() {
      try {
        const me = await userService.getMe({ silent: true });
        const update = {
          consentRequired: Boolean(me.consent_required),
          noticeVersion: me.privacy_notice_version || '',
        };
        if (me.phone && !String(me.phone).includes('*')) update.contactPhone = me.phone;
        this.setData(update);
      } catch (e) {
        // The server checks everything on submit.
      }
    },

    async loadNotice() {
      try {
        const res = await requestService.categories({ silent: true });
        if (res && res.emergency_notice) this.setData({ emergencyNotice: res.emergency_notice });
      } catch (e) {
        // Keep the built-in notice.
      }
    },

    async loadTownships() {
      try {
        this.setData({ townships: await regionService.listTownships() });
      } catch (e) {
        // request.js showed the reason.
      }
    },

    // A service code names the village or grid: preselect it.
    async loadPreset() {
      if (!this._presetRegion) return;
      try {
        const region = await regionService.getRegion(this._presetRegion, { silent: true });
        if (region.level === 'grid' && region.parent_id) {
          const village = await regionService.getRegion(region.parent_id, { silent: true });
          this.setData({
            village,
            grids: [NO_GRID, region],
            gridIndex: 1,
            presetRegionName: `${village.name} ${region.name}`,
          });
        } else if (region.level === 'village') {
          this.setData({ village, presetRegionName: region.name });
          this.loadGrids(region.id);
        }
      } catch (e) {
        // Fall back to choosing by hand.
      }
    },

    async loadGrids(villageId) {
      try {
        const res = await regionService.list({ level: 'grid', parent_id: villageId, page_size: 100 }, { silent: true });
        this.setData({ grids: [NO_GRID].concat(res.items || []), gridIndex: 0 });
      } catch (e) {
        // The village alone is enough.
      }
    },

    onCategoryChange(e) {
      const categoryIndex = Number(e.detail.value);
      const category = SERVICE_CATEGORIES[categoryIndex];
      const anonymousAllowed = Boolean(category && category.key === 'tip_off');
      this.setData({
        categoryIndex,
        anonymousAllowed,
        anonymous: anonymousAllowed ? this.data.anonymous : false,
        'errors.category': '',
      });
    },

    onUrgencyTap(e) {
      const { urgency } = e.currentTarget.dataset;
      this.setData({ urgency });
      if (urgency !== 'urgent') return;
      // Urgent is not an emergency: say so, and offer the call.
      wx.showModal({
        title: '紧急情况请拨打 110',
        content: this.data.emergencyNotice,
        confirmText: '拨打110',
        cancelText: '继续填写',
        success: (res) => {
          if (res.confirm) wx.makePhoneCall({ phoneNumber: '110' });
        },
      });
    },

    onInput(e) {
      const { field } = e.currentTarget.dataset;
      const errorKey = field === 'contactPhone' ? 'contact_phone' : field;
      this.setData({ [field]: e.detail.value, [`errors.${errorKey}`]: '' });
    },

    async onTownshipChange(e) {
      const townshipIndex = Number(e.detail.value);
      const township = this.data.townships[townshipIndex];
      this.setData({
        townshipIndex,
        villages: [],
        villageIndex: -1,
        village: null,
        grids: [NO_GRID],
        gridIndex: 0,
        presetRegionName: '',
      });
      if (!township) return;
      try {
        this.setData({ villages: await regionService.listVillages(township.id) });
      } catch (err) {
        // request.js showed the reason.
      }
    },

    onVillageChange(e) {
      const villageIndex = Number(e.detail.value);
      const village = this.data.villages[villageIndex] || null;
      this.setData({ villageIndex, village, 'errors.region_id': '' });
      if (village) this.loadGrids(village.id);
    },

    onGridChange(e) {
      this.setData({ gridIndex: Number(e.detail.value) });
    },

    onContactChange(e) {
      this.setData({ contactIndex: Number(e.detail.value), 'errors.contact_phone': '' });
    },

    onAnonymousChange(e) {
      this.setData({ anonymous: Boolean(e.detail.value) });
    },

    onAgreeChange(e) {
      this.setData({ agreed: (e.detail.value || []).length > 0 });
    },

    onChooseLocation() {
      wx.chooseLocation({
        success: (res) => {
          this.setData({
            location: {
              latitude: res.latitude,
              longitude: res.longitude,
              address: [res.address, res.name].filter(Boolean).join(' '),
            },
          });
        },
        fail: () => {
          // Cancelled or no permission: the address stays optional.
        },
      });
    },

    onChoosePhotos() {
      const room = MAX_PHOTOS - this.data.photos.length;
      if (room <= 0 || this.data.uploading) return;
      wx.chooseMedia({
        count: room,
        mediaType: ['image'],
        sourceType: ['album', 'camera'],
        sizeType: ['compressed'],
        success: (res) => this.uploadAll((res.tempFiles || []).map((f) => f.tempFilePath)),
      });
    },

    async uploadAll(paths) {
      this.setData({ uploading: true });
      let failed = 0;
      for (const path of paths) {
        try {
          // eslint-disable-next-line no-await-in-loop
          const uploaded = await uploadService.uploadImage(path);
          this.setData({ photos: this.data.photos.concat([{ url: uploaded.url, localPath: path }]) });
        } catch (err) {
          failed += 1;
          wx.showToast({ title: err.message || '图片上传失败', icon: 'none' });
        }
      }
      this.setData({ uploading: false });
      return failed;
    },

    onRemovePhoto(e) {
      const { index } = e.currentTarget.dataset;
      const photos = this.data.photos.slice();
      photos.splice(Number(index), 1);
      this.setData({ photos });
    },

    buildPayload() {
      const d = this.data;
      const grid = d.grids[d.gridIndex];
      const method = CONTACT_METHODS[d.contactIndex].key;
      const payload = {
        category: SERVICE_CATEGORIES[d.categoryIndex].key,
        description: d.description.trim(),
        urgency: d.urgency,
        region_id: grid && grid.id ? grid.id : d.village.id,
        photos: d.photos.map((p) => p.url),
        anonymous: d.anonymousAllowed && d.anonymous,
      };
      if (payload.anonymous) {
        payload.contact_method = 'message';
      } else {
        payload.contact_method = method;
        if (method === 'phone') payload.contact_phone = d.contactPhone.trim();
      }
      if (d.location) {
        payload.latitude = d.location.latitude;
        payload.longitude = d.location.longitude;
        payload.address = d.location.address.slice(0, 255);
      }
      return payload;
    },

    // 《隐私保护指引》 in the consent line opens the guide itself.
    onPrivacyTap() {
      privacy.openContract();
    },

    // The tap on 提交: check the form, ask for progress notices while the tap is fresh (the first
    // wx call), then send the request whatever the answer.
    onSubmit() {
      if (this.data.submitting || this.data.uploading) return;
      const errors = validate(this.data);
      if (Object.keys(errors).length) {
        this.setData({ errors });
        wx.showToast({ title: '请检查填写内容', icon: 'none' });
        return;
      }
      if (this.data.consentRequired && !this.data.agreed) {
        wx.showToast({ title: '请先阅读并同意隐私保护指引', icon: 'none' });
        return;
      }
      const asked = askFromTap(['service_request_update']);
      this.setData({ submitting: true, errors: {} });
      return asked.then(() => this.submit());
    },

    async submit() {
      try {
        if (this.data.consentRequired) {
          await userService.acceptConsent(this.data.noticeVersion);
          this.setData({ consentRequired: false });
        }
        const created = await requestService.submit(this.buildPayload());
        wx.showToast({ title: created.held ? '已提交，待审核' : '已提交', icon: 'success' });
        wx.redirectTo({ url: `/pages/service/detail/index?id=${created.id}` });
      } catch (e) {
        if (e && e.statusCode === 422) this.setData({ errors: fieldErrors(e) });
      } finally {
        this.setData({ submitting: false });
      }
    },
  },
});
